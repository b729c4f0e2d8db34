package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/internal/carrier"
	"github.com/sightline-dev/sightline/telemetry"
)

// call is one request to a device, traced by a SERVER span of the device's
// component (or, for an unknown or stopped device, of the server's own).
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	h      *hosted  // nil: unknown device
	run    *running // the tracers; of the server when the device is not running
	ctx    context.Context
	span   trace.Span
	cancel context.CancelFunc
}

type componentKey struct{}

// ComponentFrom returns the telemetry component of the device whose call
// ctx belongs to, for a command that wants the device's logger or tracer.
// It is nil outside a call. (Proxies need nothing from it: a call made
// under ctx is already traced as the device, remote.ContextWithTracing.)
func ComponentFrom(ctx context.Context) *telemetry.Component {
	c, _ := ctx.Value(componentKey{}).(*telemetry.Component)
	return c
}

var rpcSystem = attribute.String("rpc.system", "sightline.remote")

// untraced is what a call traces with when no component runs.
var untraced = &running{tracing: remote.NewTracing(noop.NewTracerProvider(), propagation.TraceContext{})}

// begin starts the call: the caller's context, the server span, the
// deadline. It answers the request itself and returns nil when the call
// cannot proceed (unknown device, device not running, bad header).
//
// anyState lets the call proceed on a stopped device or a closing server:
// an operation's end is still reported after its device stopped.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, devName, method string, kernel, anyState bool) *call {
	c := &call{w: w, r: r, h: s.lookup(devName)}
	class := "DServer"
	if c.h != nil {
		class = c.h.dev.class
		c.run = c.h.run.Load()
	}
	if c.run == nil {
		c.run = s.self.run.Load()
	}
	if c.run == nil {
		// The server's own component is shut down too (Shutdown): untraced.
		c.run = untraced
	}
	tracer := c.run.tracing.User()
	if kernel {
		tracer = c.run.tracing.Kernel()
	}
	ctx := c.run.tracing.Propagator().Extract(r.Context(), carrier.Header(r.Header))
	ss, herr := serverSpanOf(r, devName, method, class)
	ctx, c.span = tracer.Start(ctx, ss.name, serverStart...)
	c.ctx, c.cancel = ctx, func() {}
	if c.span.IsRecording() {
		// One SetAttributes of a slice made once per connection and
		// operation: the span copies it into a slice of the right size.
		c.span.SetAttributes(ss.attributes(herr)...)
	}
	timeout, terr := parseTimeout(r.Header)
	switch {
	case herr != nil:
		c.fail(herr)
		return nil
	case terr != nil:
		c.fail(terr)
		return nil
	case c.h == nil:
		c.fail(newError(remote.CodeUnknownDevice, "device %q is not on server %s", devName, s.name))
		return nil
	case c.h.run.Load() == nil && !anyState:
		c.fail(newError(remote.CodeNotRunning, "device %s is stopped on server %s", devName, s.name))
		return nil
	case s.closed.Load() && !anyState:
		c.fail(newError(remote.CodeShutdown, "server %s is closing", s.name))
		return nil
	}
	if timeout > 0 {
		c.ctx, c.cancel = context.WithTimeout(c.ctx, timeout)
	}
	if c.run.comp != nil {
		c.ctx = device.ContextWithTracerProvider(c.ctx, c.run.comp.TracerProvider())
		c.ctx = context.WithValue(c.ctx, componentKey{}, c.run.comp)
		c.ctx = remote.ContextWithTracing(c.ctx, c.run.tracing)
	}
	return c
}

// decode reads the JSON body into v (an empty body leaves v as it is).
func (c *call) decode(v any) *remote.Error {
	_, sp := c.run.tracing.Kernel().Start(c.ctx, "remote.decode")
	defer sp.End()
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return c.spanErr(sp, newError(remote.CodeMalformedBody, "Content-Type %q: want application/json", clipString(ct)))
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, remote.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return c.spanErr(sp, newError(remote.CodeBodyTooLarge, "request body over %d bytes", remote.MaxBody))
		}
		return c.spanErr(sp, newError(remote.CodeMalformedBody, "read request body: %v", err))
	}
	if sp.IsRecording() {
		sp.SetAttributes(attribute.Int("remote.body.size", len(body)))
	}
	if len(body) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return c.spanErr(sp, newError(remote.CodeMalformedBody, "request body %s: %v", clip(body), err))
	}
	if dec.More() {
		return c.spanErr(sp, newError(remote.CodeMalformedBody, "request body %s: data after the JSON object", clip(body)))
	}
	return nil
}

func (c *call) spanErr(sp trace.Span, e *remote.Error) *remote.Error {
	sp.SetStatus(codes.Error, e.Message)
	return e
}

// reply writes v as the 200 answer and ends the call.
func (c *call) reply(v any) {
	defer c.end()
	_, sp := c.run.tracing.Kernel().Start(c.ctx, "remote.encode")
	b, err := json.Marshal(v)
	if sp.IsRecording() {
		sp.SetAttributes(attribute.Int("remote.body.size", len(b)))
	}
	sp.End()
	if err != nil {
		c.failLocked(newError(remote.CodeFailed, "encode the result: %v", err))
		return
	}
	httpjson.WriteBody(c.w, http.StatusOK, httpjson.ContentType, b)
}

// fail answers with e and ends the call.
func (c *call) fail(e *remote.Error) {
	defer c.end()
	c.failLocked(e)
}

func (c *call) failLocked(e *remote.Error) {
	c.span.SetAttributes(remote.AttrErrorCode.String(string(e.Code)))
	if st := e.Code.HTTPStatus(); st >= 500 {
		c.span.SetStatus(codes.Error, e.Message)
	}
	httpjson.Write(c.w, e.Code.HTTPStatus(), remote.ErrorBody{Error: e})
}

func (c *call) end() {
	c.cancel()
	c.span.End()
}
