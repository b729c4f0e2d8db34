package task

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/task/natstest"
)

// newTracing returns a tracer provider that exports synchronously to
// memory, shut down when the test ends.
func newTracing(t testing.TB) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// spansNamed returns the ended spans called name.
func spansNamed(exp *tracetest.InMemoryExporter, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// attrOf returns a span attribute's value, or nil.
func attrOf(s tracetest.SpanStub, key string) any {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.AsInterface()
		}
	}
	return nil
}

// natsClient starts a nats-server and dials it; the client is closed when
// the test ends.
func natsClient(t testing.TB, opts ...ClientOption) (*Client, string) {
	t.Helper()
	url := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialNATS(ctx, url, opts...)
	if err != nil {
		t.Fatalf("DialNATS(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, url
}

// runWorker runs w until the test ends (or stop is called) and checks that
// Run returned nil.
func runWorker(t testing.TB, w *Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker %s: Run: %v", w.ID(), err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// mustWorker makes a worker on c.
func mustWorker(t testing.TB, c *Client, opts ...WorkerOption) *Worker {
	t.Helper()
	w, err := NewWorker(c, opts...)
	if err != nil {
		t.Fatalf("NewWorker: %v", err)
	}
	return w
}

// wantKind checks that err is a *Error of kind, matched by errors.Is with
// the kind's sentinel too.
func wantKind(t testing.TB, err error, kind Kind) *Error {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *task.Error", err, err)
	}
	if te.Kind != kind {
		t.Fatalf("error kind = %q, want %q (error: %v)", te.Kind, kind, err)
	}
	if !errors.Is(err, sentinels[kind]) {
		t.Fatalf("errors.Is(%v, %v) = false", err, sentinels[kind])
	}
	return te
}

// textLogger is a slog logger writing text into b.
func textLogger(b *syncbuf.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// natsMsg builds a message with one value per header.
func natsMsg(subject string, headers map[string]string) *nats.Msg {
	m := nats.NewMsg(subject)
	for k, v := range headers {
		m.Header[k] = []string{v}
	}
	m.Data = []byte("{}")
	return m
}

// countLines counts the lines of s that contain sub.
func countLines(s, sub string) int {
	n := 0
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			n++
		}
	}
	return n
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
