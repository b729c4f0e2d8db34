package telemetry_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

func TestProviderFactoryAndResourceAttributes(t *testing.T) {
	calls := 0
	c, mem := setup(t,
		telemetry.WithResourceAttributes(attribute.String("device.class", "Motor"), attribute.String("service.name", "ignored")),
		telemetry.WithProviderFactory(func(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
			calls++
			limits := sdktrace.NewSpanLimits()
			limits.AttributeCountLimit = 1
			return sdktrace.NewTracerProvider(append(opts, sdktrace.WithRawSpanLimits(limits))...)
		}))
	_, s := c.Tracer("t").Start(context.Background(), "x")
	s.SetAttributes(attribute.Int("a", 1), attribute.Int("b", 2))
	s.End()
	if err := c.Control().AddTracingEndpoint(context.Background(), telemetry.Endpoint{Exporter: "memory", URL: memName(t, "b")}); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("factory called %d times, want once per generation (2)", calls)
	}
	spans := mem.Spans()
	if len(spans) != 1 || len(spans[0].Attributes) != 1 {
		t.Fatalf("the factory's span limits were not applied: %+v", spans)
	}
	res := spans[0].Resource
	if v, _ := res.Set().Value("device.class"); v.AsString() != "Motor" {
		t.Errorf("extra resource attribute missing: %v", res)
	}
	if v, _ := res.Set().Value("service.name"); v.AsString() != "motor" {
		t.Errorf("service.name = %q; the WithServiceName option must win over extra attributes", v.AsString())
	}
}

func TestPropagatorsFromEnvAndGlobal(t *testing.T) {
	defer otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	c, _ := setup(t, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory",
		"OTEL_PROPAGATORS", "b3"), telemetry.WithGlobal())
	ctx, s := otel.Tracer("global").Start(context.Background(), "via global")
	defer s.End()
	if !s.IsRecording() {
		t.Fatal("WithGlobal did not install the component's TracerProvider")
	}
	h := http.Header{}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(h))
	if h.Get("b3") == "" || h.Get("traceparent") != "" {
		t.Errorf("OTEL_PROPAGATORS=b3 not honoured; injected %v", h)
	}
	if c.Propagator() == nil {
		t.Error("no propagator on the component")
	}
}

func TestLocalLogHandlerGetsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	c, _ := setup(t, telemetry.WithLogHandler(slog.NewTextHandler(&buf, nil)))
	ctx, s := c.Tracer("t").Start(context.Background(), "op")
	c.Logger().InfoContext(ctx, "hello", "k", "v")
	s.End()
	line := buf.String()
	for _, want := range []string{"msg=hello", "k=v", "trace_id=" + s.SpanContext().TraceID().String(), "span_id=" + s.SpanContext().SpanID().String()} {
		if !strings.Contains(line, want) {
			t.Errorf("local log %q lacks %q", line, want)
		}
	}
}

// TestDiagnosticsRecoveryAndLevel: a collector that refuses and then accepts
// gives one failing line and one recovered line; level off prints nothing.
func TestDiagnosticsRecoveryAndLevel(t *testing.T) {
	for _, level := range []string{"warning", "off"} {
		t.Run(level, func(t *testing.T) {
			var out syncbuf.Buffer
			telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&out, nil)))
			defer telemetry.SetDiagnostics(nil)
			rcv := sightlinetest.NewReceiver(t)
			rcv.SetFailing(true)
			c, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
				"SIGHTLINE_TELEMETRY_TYPES", "tracing", "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple",
				"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", level,
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint()))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Shutdown(context.Background())
			tr := c.Tracer("t")
			for range 20 {
				_, s := tr.Start(context.Background(), "refused")
				s.End()
			}
			rcv.SetFailing(false)
			// The endpoint is skipped until its next probe; keep sending until
			// one gets through (bounded by the receiver's wait).
			deadline := time.Now().Add(10 * time.Second)
			for len(rcv.Spans()) == 0 && time.Now().Before(deadline) {
				_, s := tr.Start(context.Background(), "accepted")
				s.End()
				rcv.WaitForSpans(1, 50*time.Millisecond)
			}
			// The probe that got through marks the endpoint ok in the
			// background, just after the receiver has the span.
			poll.Until(t, 10*time.Second, "the endpoint to recover", func() bool {
				return c.Control().Status().Endpoints[0].State == "ok"
			})
			got := out.String()
			if level == "off" {
				if got != "" {
					t.Errorf("level off printed:\n%s", got)
				}
				return
			}
			if strings.Count(got, "failing") != 1 || strings.Count(got, "recovered") != 1 {
				t.Errorf("want one failing and one recovered line, got:\n%s", got)
			}
			st := c.Control().Status()
			if st.Endpoints[0].State != "ok" || st.Spans.Exported == 0 {
				t.Errorf("endpoint after recovery: %+v", st.Endpoints[0])
			}
		})
	}
}
