package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The OpenTelemetry SDK's own SDK-to-OTLP transform, for the end-to-end
// tests' expectations and for a JSON client: otlptrace.New with a client
// that receives the SDK's protobuf resource spans. An independent
// reference: the binary shares no code with it.

// uploader is an otlptrace.Client that hands the SDK's protobuf resource
// spans to upload.
type uploader struct {
	upload func(ctx context.Context, rs []*tracepb.ResourceSpans) error
}

func (uploader) Start(context.Context) error { return nil }
func (uploader) Stop(context.Context) error  { return nil }
func (u uploader) UploadTraces(ctx context.Context, rs []*tracepb.ResourceSpans) error {
	return u.upload(ctx, rs)
}

// pdataOf is the SDK's resource spans as pdata, through their protobuf.
func pdataOf(rs []*tracepb.ResourceSpans) (ptrace.Traces, error) {
	b, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: rs})
	if err != nil {
		return ptrace.Traces{}, err
	}
	return (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
}

// sdkTraces is spans as OTLP, by the SDK's transform.
func sdkTraces(t *testing.T, spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	t.Helper()
	var td ptrace.Traces
	exp, err := otlptrace.New(context.Background(), uploader{upload: func(_ context.Context, rs []*tracepb.ResourceSpans) (err error) {
		td, err = pdataOf(rs)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	return td
}

// newJSONSpanExporter is an SDK span exporter that posts OTLP/JSON to url
// (…/v1/traces).
func newJSONSpanExporter(t *testing.T, url string) sdktrace.SpanExporter {
	t.Helper()
	exp, err := otlptrace.New(context.Background(), uploader{upload: func(ctx context.Context, rs []*tracepb.ResourceSpans) error {
		td, err := pdataOf(rs)
		if err != nil {
			return err
		}
		body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("POST %s: %s", url, resp.Status)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return exp
}
