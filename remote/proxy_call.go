package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/remote/internal/carrier"
)

// maxResponse bounds a response body the proxy reads.
const maxResponse = 16 << 20

// call makes one traced request: a CLIENT span named "<device>.<method>"
// (kernel topic when kernel is set), with kernel spans for encoding, the
// transport and decoding. body (if not nil) is sent as JSON; out (if not
// nil) receives the JSON answer.
func (p *Proxy) call(ctx context.Context, dev, method, httpMethod, path string, body, out any, kernel bool) error {
	tr := tracingFrom(ctx, p.tracing)
	tracer := tr.user
	if kernel {
		tracer = tr.kernel
	}
	op := p.spans.op(dev, method)
	ctx, span := tracer.Start(ctx, op.name, clientStart...)
	defer span.End()
	if span.IsRecording() {
		// One SetAttributes of a slice made once: the span copies it into
		// an attribute slice of the right size. (trace.WithAttributes would
		// cost two allocations more: the option, and the SDK's copy into
		// its SpanConfig.)
		span.SetAttributes(p.spans.attributes(op)...)
	}
	err := p.roundTrip(ctx, tr, httpMethod, path, body, out)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			if e.Device == "" && dev != "dserver" {
				e.Device = dev
			}
			span.SetAttributes(AttrErrorCode.String(string(e.Code)))
		}
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	return err
}

func (p *Proxy) roundTrip(ctx context.Context, tr *Tracing, httpMethod, path string, body, out any) error {
	if p.follow.Err() != nil {
		return &Error{Code: CodeUnreachable, Message: errClosed.Error(), Err: errClosed}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	var payload []byte
	if body != nil {
		_, sp := tr.kernel.Start(ctx, "remote.encode")
		b, err := json.Marshal(body)
		sp.End()
		if err != nil {
			return &Error{Code: CodeBadArgument, Message: fmt.Sprintf("encode the request: %v", err), Err: err}
		}
		payload = b
	}
	req, err := http.NewRequestWithContext(ctx, httpMethod, p.base+path, bytes.NewReader(payload))
	if err != nil {
		return &Error{Code: CodeBadArgument, Message: fmt.Sprintf("build the request: %v", err), Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range p.idHeaders {
		req.Header[k] = v
	}
	// The caller's span (the CLIENT span) is the server span's parent,
	// whether or not kernel spans are recorded.
	tr.prop.Inject(ctx, carrier.Header(req.Header))
	if dl, ok := ctx.Deadline(); ok {
		req.Header.Set(HeaderTimeout, max(time.Until(dl), time.Millisecond).String())
	}
	_, tsp := tr.kernel.Start(ctx, "remote.transport")
	resp, err := p.hc.Do(req)
	if err != nil {
		tsp.SetStatus(codes.Error, err.Error())
		tsp.End()
		return transportError(ctx, err, p.base)
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	_ = resp.Body.Close()
	if tsp.IsRecording() {
		tsp.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	tsp.End()
	if rerr != nil {
		return transportError(ctx, rerr, p.base)
	}
	_, dsp := tr.kernel.Start(ctx, "remote.decode")
	defer dsp.End()
	return decodeResponse(resp.StatusCode, data, out)
}

// decodeResponse turns a server's answer into out, or into the *Error it
// carries (or one saying the answer made no sense).
func decodeResponse(status int, data []byte, out any) error {
	if len(data) > maxResponse {
		return &Error{Code: CodeBadResponse, Message: fmt.Sprintf("response over %d bytes", maxResponse), HTTPStatus: status}
	}
	if status/100 != 2 {
		var eb ErrorBody
		if err := json.Unmarshal(data, &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
			return &Error{Code: CodeBadResponse, HTTPStatus: status,
				Message: fmt.Sprintf("HTTP %d without a remote error body: %s", status, clip(data))}
		}
		eb.Error.HTTPStatus = status
		return eb.Error
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Code: CodeBadResponse, HTTPStatus: status, Message: fmt.Sprintf("decode %s: %v", clip(data), err), Err: err}
	}
	return nil
}

// transportError says why a request got no answer: the caller's context,
// or the server could not be reached.
func transportError(ctx context.Context, err error, base string) error {
	if cerr := ctx.Err(); cerr != nil {
		return &Error{Code: CodeTimeout, Message: fmt.Sprintf("no answer from %s: %v", base, cerr), Err: cerr}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Code: CodeTimeout, Message: fmt.Sprintf("no answer from %s: %v", base, err), Err: err}
	}
	return &Error{Code: CodeUnreachable, Message: fmt.Sprintf("%s: %v", base, err), Err: err}
}
