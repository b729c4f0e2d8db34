package sightlinetest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// testResource is the resource every test provider reports.
var testResource = resource.NewSchemaless(
	attribute.String("service.name", "receiver-test"),
	attribute.String("deployment.environment.name", "test"),
)

// errorCatcher wraps an exporter, keeping the errors it returns instead of
// handing them to the processor (which would print them through the global
// error handler).
type errorCatcher struct {
	mu   sync.Mutex
	errs []error
}

func (c *errorCatcher) catch(err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

func (c *errorCatcher) errors() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errs...)
}

type catchingSpanExporter struct {
	sdktrace.SpanExporter
	*errorCatcher
}

func (e catchingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.catch(e.SpanExporter.ExportSpans(ctx, spans))
	return nil
}

type catchingLogExporter struct {
	sdklog.Exporter
	*errorCatcher
}

func (e catchingLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	e.catch(e.Exporter.Export(ctx, records))
	return nil
}

// newTracerProvider returns a provider that exports every span, when it
// ends, through exp, and the catcher of exp's errors. The provider is shut
// down (closing exp) before the receiver, which was registered earlier.
func newTracerProvider(t *testing.T, exp sdktrace.SpanExporter) (*sdktrace.TracerProvider, *errorCatcher) {
	t.Helper()
	c := &errorCatcher{}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(catchingSpanExporter{exp, c})),
		sdktrace.WithResource(testResource),
	)
	t.Cleanup(func() {
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Errorf("shut down tracer provider: %v", err)
		}
	})
	return tp, c
}

// newLoggerProvider is newTracerProvider for logs.
func newLoggerProvider(t *testing.T, exp sdklog.Exporter) (*sdklog.LoggerProvider, *errorCatcher) {
	t.Helper()
	c := &errorCatcher{}
	lp := sdklog.NewLoggerProvider(
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(catchingLogExporter{exp, c})),
		sdklog.WithResource(testResource),
	)
	t.Cleanup(func() {
		if err := lp.Shutdown(context.Background()); err != nil {
			t.Errorf("shut down logger provider: %v", err)
		}
	})
	return lp, c
}

// response is what post got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to url on a connection that is closed afterwards, so no
// idle connection outlives the test. It fails the test on a transport
// error, so call it from the test's goroutine only.
func post(t *testing.T, method, url, contentType, contentEncoding string, body []byte) response {
	t.Helper()
	resp, err := tryPost(t, method, url, contentType, contentEncoding, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// tryPost is post that returns the error, for use from any goroutine.
func tryPost(t *testing.T, method, url, contentType, contentEncoding string, body []byte) (response, error) {
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		return response{}, fmt.Errorf("new request: %w", err)
	}
	req.Close = true
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("read response: %w", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}
