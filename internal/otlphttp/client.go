package otlphttp

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Client sends pdata traces and logs to an OTLP/HTTP receiver with
// protobuf encoding (Content-Type: application/x-protobuf), retrying
// throttling and unavailability responses as the OTLP/HTTP specification asks. It is what
// sightline import uses to load files into a running collector; its
// methods have the shape of the collector's store. It is safe for
// concurrent use.
type Client struct {
	traces, logs *Sender
}

// NewClient returns a client for the OTLP/HTTP receiver at baseURL
// ("http://127.0.0.1:4318"): traces go to baseURL + "/v1/traces" and logs
// to baseURL + "/v1/logs". It fails if baseURL is not an http or https URL
// with a host.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("otlphttp: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("otlphttp: base URL %q: want http:// or https:// and a host", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("otlphttp: base URL %q: want no query or fragment", baseURL)
	}
	base := strings.TrimRight(baseURL, "/")
	cfg := newConfig(opts)
	return &Client{
		traces: newSender(base+"/v1/traces", ContentTypeProto, cfg),
		logs:   newSender(base+"/v1/logs", ContentTypeProto, cfg),
	}, nil
}

// AppendTraces posts td as one ExportTraceServiceRequest. rejected and
// message are the response's partial success: how many spans the receiver
// refused and why. err means the request failed (the receiver could not be
// reached, or answered with an error status, even after retries) and no
// span can be assumed to have been accepted.
func (c *Client) AppendTraces(ctx context.Context, td ptrace.Traces) (rejected int, message string, err error) {
	if td.SpanCount() == 0 {
		return 0, "", nil
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return 0, "", fmt.Errorf("otlphttp: marshal traces for %s: %w", c.traces.url, err)
	}
	err = c.traces.Send(ctx, body, func(data []byte) error {
		resp := ptraceotlp.NewExportResponse()
		if decodeResponse(data, resp.UnmarshalProto, resp.UnmarshalJSON) {
			ps := resp.PartialSuccess()
			rejected, message = int(ps.RejectedSpans()), ps.ErrorMessage()
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return rejected, message, nil
}

// AppendLogs is AppendTraces for logs, posting an ExportLogsServiceRequest.
func (c *Client) AppendLogs(ctx context.Context, ld plog.Logs) (rejected int, message string, err error) {
	if ld.LogRecordCount() == 0 {
		return 0, "", nil
	}
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		return 0, "", fmt.Errorf("otlphttp: marshal logs for %s: %w", c.logs.url, err)
	}
	err = c.logs.Send(ctx, body, func(data []byte) error {
		resp := plogotlp.NewExportResponse()
		if decodeResponse(data, resp.UnmarshalProto, resp.UnmarshalJSON) {
			ps := resp.PartialSuccess()
			rejected, message = int(ps.RejectedLogRecords()), ps.ErrorMessage()
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return rejected, message, nil
}

// decodeResponse decodes a success response: protobuf as asked for, or
// JSON from a receiver that answers in JSON regardless. A body that is
// neither (a proxy's "OK") is ignored: the status said the data was
// accepted.
func decodeResponse(data []byte, fromProto, fromJSON func([]byte) error) bool {
	if len(data) == 0 {
		return false
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && fromJSON(t) == nil {
		return true
	}
	return fromProto(data) == nil
}

// Close closes idle connections; later calls fail. It always returns nil.
func (c *Client) Close() error {
	c.traces.Close()
	c.logs.Close()
	return nil
}
