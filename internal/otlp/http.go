package otlp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// HTTP server timeouts. Body reads have their own deadline (bodyReadTimeout);
// there is no overall ReadTimeout, which would cancel the context of a
// request that waits for a slow sink.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 1 << 20
	// discardTimeout bounds reading what a refused request left unread.
	discardTimeout = 5 * time.Second
)

// The OTLP/HTTP paths (spec: OTLP/HTTP Request).
const (
	pathTraces  = "/v1/traces"
	pathLogs    = "/v1/logs"
	pathMetrics = "/v1/metrics"
)

func (r *Receiver) newHTTPServer() *http.Server {
	return &http.Server{
		Handler:           r.httpHandler(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return r.forceCtx },
		ErrorLog:          slog.NewLogLogger(r.logger.Handler(), slog.LevelWarn),
	}
}

// httpHandler serves the OTLP/HTTP paths; it needs no listener.
func (r *Receiver) httpHandler() http.Handler { return http.HandlerFunc(r.serveHTTP) }

func (r *Receiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	defer discardBody(w, req.Body, r.cfg.MaxRequestBytes, r.discardTimeout)
	enc := responseEncoding(req.Header.Get("Content-Type"))
	var sig signal
	switch req.URL.Path {
	case pathTraces:
		sig = signalTraces
	case pathLogs:
		sig = signalLogs
	case pathMetrics:
		sig = signalMetrics
	default:
		r.counters.httpUnrouted.Add(1)
		r.writeError(w, enc, refuseErr(failNotFound, reasonMalformed,
			"no OTLP endpoint at %q: POST traces to %s and logs to %s", req.URL.Path, pathTraces, pathLogs))
		return
	}
	if req.Method != http.MethodPost {
		r.counters.httpUnrouted.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		r.writeError(w, enc, refuseErr(failMethod, reasonMalformed,
			"method %s not allowed on %s: OTLP/HTTP exports are POST requests", req.Method, req.URL.Path))
		return
	}
	if sig == signalMetrics {
		r.counters.metrics[transportHTTP].Add(1)
		r.writeError(w, enc, &exportError{kind: failUnimplemented, why: reasonUnsupportedMedia, msg: errMetrics})
		return
	}
	c := r.countersOf(sig)
	c.requests[transportHTTP].Add(1)
	if !r.active.enter() {
		c.refuse(reasonCanceled, 0)
		r.writeError(w, enc, errClosing())
		return
	}
	defer r.active.leave()
	defer func() {
		if p := recover(); p != nil {
			r.logger.ErrorContext(req.Context(), "otlp: HTTP handler panicked", "signal", sig.String(), "panic", fmt.Sprint(p))
			r.writeError(w, enc, refuseErr(failInternal, reasonSinkError, "export %s: internal error", sig))
		}
	}()

	resp, err := r.exportHTTP(w, req, sig)
	if err != nil {
		var e *exportError
		if !errors.As(err, &e) {
			e = refuseErr(failInternal, reasonSinkError, "export %s: %w", sig, err)
		}
		r.writeError(w, enc, e)
		return
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp)
}

// exportHTTP reads, decodes and exports one request and returns the encoded
// response. Refusals before export are counted here; export counts the rest.
func (r *Receiver) exportHTTP(w http.ResponseWriter, req *http.Request, sig signal) ([]byte, error) {
	c := r.countersOf(sig)
	enc, err := parseContentType(req.Header.Get("Content-Type"))
	if err != nil {
		c.refuse(err.why, 0)
		return nil, err
	}
	if r.admission.full() {
		// Refuse before reading and decoding a body that could not be
		// admitted anyway.
		c.refuse(reasonQueueFull, 0)
		return nil, refuseErr(failQueueFull, reasonQueueFull,
			"receiver is busy: %d items in flight, the limit is %d; retry after %v",
			r.admission.inFlight(), r.cfg.MaxInFlightItems, r.cfg.RetryAfter)
	}
	body, res, rerr := r.readBody(w, req)
	if rerr != nil {
		c.refuse(rerr.why, 0)
		return nil, rerr
	}
	// The body's bytes stay reserved until it is decoded, the decoded
	// request's until the sink has returned.
	defer res.release()
	cst, cerr := requestCost(body, enc, sig)
	if cerr != nil {
		c.refuse(reasonMalformed, 0)
		return nil, decodeFailure(sig, enc, cerr)
	}
	decoding, rerr := r.admitCost(cst, sig, int64(len(body)), res.held())
	if rerr != nil {
		c.refuseCounted(rerr.why, cst.items)
		return nil, rerr
	}
	defer decoding.release()
	if err := r.admission.acquireDecode(req.Context()); err != nil {
		c.refuse(reasonCanceled, 0)
		return nil, refuseErr(failUnavailable, reasonCanceled, "waiting to decode the body: %w", err)
	}
	switch sig {
	case signalTraces:
		ereq := ptraceotlp.NewExportRequest()
		err := decode(ereq, body, enc) // recovers a decoder's panic
		r.admission.releaseDecode()
		if err != nil {
			c.refuse(reasonMalformed, 0)
			return nil, decodeFailure(sig, enc, err)
		}
		// Let the body go while the sink works: the decoded request holds
		// what decoding reserved.
		body = nil
		res.release()
		td := ereq.Traces()
		store := func(ctx context.Context) (int, string, error) { return r.sink.AppendTraces(ctx, td) }
		rejected, message, err := r.export(req.Context(), sig, transportHTTP, td.SpanCount(), store)
		if err != nil {
			return nil, err
		}
		resp := ptraceotlp.NewExportResponse()
		if rejected > 0 || message != "" {
			resp.PartialSuccess().SetRejectedSpans(int64(rejected))
			resp.PartialSuccess().SetErrorMessage(message)
		}
		return encode(resp, enc)
	default:
		ereq := plogotlp.NewExportRequest()
		err := decode(ereq, body, enc) // recovers a decoder's panic
		r.admission.releaseDecode()
		if err != nil {
			c.refuse(reasonMalformed, 0)
			return nil, decodeFailure(sig, enc, err)
		}
		body = nil
		res.release()
		ld := ereq.Logs()
		store := func(ctx context.Context) (int, string, error) { return r.sink.AppendLogs(ctx, ld) }
		rejected, message, err := r.export(req.Context(), sig, transportHTTP, ld.LogRecordCount(), store)
		if err != nil {
			return nil, err
		}
		resp := plogotlp.NewExportResponse()
		if rejected > 0 || message != "" {
			resp.PartialSuccess().SetRejectedLogRecords(int64(rejected))
			resp.PartialSuccess().SetErrorMessage(message)
		}
		return encode(resp, enc)
	}
}

// writeError answers with e's HTTP status and a google.rpc.Status body in
// the request's encoding (spec: OTLP/HTTP Response, Failures), with
// Retry-After when e is retryable (spec: OTLP/HTTP Throttling).
func (r *Receiver) writeError(w http.ResponseWriter, enc encoding, e *exportError) {
	f := failures[e.kind]
	if f.retryable {
		w.Header().Set("Retry-After", r.cfg.retryAfterSeconds())
	}
	if e.kind == failUnsupportedMedia {
		w.Header().Set("Accept-Encoding", "gzip")
	}
	b, err := marshalStatus(e.status(r.cfg.RetryAfter), enc)
	if err != nil {
		http.Error(w, e.msg, f.http)
		return
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(f.http)
	_, _ = w.Write(b)
}

func marshalStatus(st *status.Status, enc encoding) ([]byte, error) {
	if enc == encodingJSON {
		return protojson.Marshal(st.Proto())
	}
	return proto.Marshal(st.Proto())
}

// discardBody reads what a refused request left of its body, up to limit
// bytes and without keeping it, after the answer is written. A client still
// writing the body then reads the answer (413, 429 with Retry-After) instead
// of seeing the connection reset, which Go's server does when more than
// 256 KiB are left unread. Past limit, or when the client sends slower than
// timeout allows, the connection is closed instead: a slow client
// cannot keep the handler (and its goroutine) for longer.
func discardBody(w http.ResponseWriter, body io.ReadCloser, limit int64, timeout time.Duration) {
	if body == nil {
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	_, _ = io.CopyN(io.Discard, body, limit)
}
