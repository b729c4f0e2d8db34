package forward

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/otlphttp"
)

// exporter sends one batch's OTLP request upstream, one attempt.
type exporter interface {
	export(ctx context.Context, sig Signal, body []byte) outcome
	close()
}

// outcome is what one attempt came to.
type outcome struct {
	err error // nil: accepted (maybe in part)
	// rejected and message are a partial success: items refused.
	rejected int64
	message  string
	// retryable says err is worth retrying, after delay when the upstream
	// said how long (0: our backoff).
	retryable bool
	delay     time.Duration
	// reached says the upstream answered (success or refusal).
	reached bool
}

// httpExporter posts OTLP/HTTP protobuf through otlphttp senders, one
// attempt per send: the forwarder retries on its own terms.
type httpExporter struct {
	traces, logs *otlphttp.Sender
}

func newHTTPExporter(cfg Config, up upstream) (*httpExporter, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if up.tls {
		tc, err := cfg.tlsConfig()
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = tc
	}
	opts := []otlphttp.Option{
		otlphttp.WithHeaders(cfg.headers(up)), otlphttp.WithTimeout(cfg.Timeout), otlphttp.WithoutRetry(),
		otlphttp.WithHTTPClient(&http.Client{Transport: tr}),
	}
	if cfg.Compression == "gzip" {
		opts = append(opts, otlphttp.WithGzip())
	}
	return &httpExporter{
		traces: otlphttp.NewSender(up.target+"/v1/traces", otlphttp.ContentTypeProto, opts...),
		logs:   otlphttp.NewSender(up.target+"/v1/logs", otlphttp.ContentTypeProto, opts...),
	}, nil
}

func (e *httpExporter) export(ctx context.Context, sig Signal, body []byte) outcome {
	var out outcome
	s := e.traces
	if sig == Logs {
		s = e.logs
	}
	err := s.Send(ctx, body, func(data []byte) error {
		out.rejected, out.message = partialSuccess(sig, data)
		return nil
	})
	if err == nil {
		out.reached = true
		return out
	}
	out.err = err
	var se *otlphttp.StatusError
	if errors.As(err, &se) {
		out.reached, out.retryable, out.delay = true, se.Retryable(), se.RetryAfter
		return out
	}
	// Not an answer: the upstream could not be reached, or the attempt
	// timed out. The queue holds the data: retry.
	out.retryable = true
	return out
}

func (e *httpExporter) close() {
	e.traces.Close()
	e.logs.Close()
}

// partialSuccess reads the partial success of an export response body
// (protobuf, or JSON from an upstream that answers in JSON regardless). A
// body that is neither counts as full success: the status said so.
func partialSuccess(sig Signal, data []byte) (int64, string) {
	if len(data) == 0 {
		return 0, ""
	}
	isJSON := bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
	if sig == Logs {
		resp := plogotlp.NewExportResponse()
		if (isJSON && resp.UnmarshalJSON(data) == nil) || (!isJSON && resp.UnmarshalProto(data) == nil) {
			return resp.PartialSuccess().RejectedLogRecords(), resp.PartialSuccess().ErrorMessage()
		}
		return 0, ""
	}
	resp := ptraceotlp.NewExportResponse()
	if (isJSON && resp.UnmarshalJSON(data) == nil) || (!isJSON && resp.UnmarshalProto(data) == nil) {
		return resp.PartialSuccess().RejectedSpans(), resp.PartialSuccess().ErrorMessage()
	}
	return 0, ""
}
