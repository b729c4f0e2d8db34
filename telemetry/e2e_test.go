package telemetry_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestExportOverRealSockets sends spans and logs with every network
// exporter to a real OTLP receiver (built on pdata) and checks what arrived.
func TestExportOverRealSockets(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	for _, tc := range []struct {
		name, exporter, endpoint, transport string
		env                                 []string
	}{
		{"http protobuf", "http", rcv.HTTPEndpoint(), sightlinetest.TransportHTTP, nil},
		{"http json", "http", rcv.HTTPEndpoint(), sightlinetest.TransportHTTP, []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
		{"grpc", "grpc", rcv.GRPCEndpoint(), sightlinetest.TransportGRPC, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv.Reset()
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env(append([]string{"SIGHTLINE_TELEMETRY_ENABLE", "on",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", tc.exporter, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", tc.endpoint,
				"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", tc.exporter, "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", tc.endpoint,
				"OTEL_EXPORTER_OTLP_HEADERS", "x-beamline=12",
			}, tc.env...)...), telemetry.WithServiceName("scanner"), telemetry.WithInstanceID("bl12/scan/1"))
			if err != nil {
				t.Fatal(err)
			}
			tr := c.Tracer("sightline/e2e")
			pctx, parent := tr.Start(ctx, "scan", traceAttrs())
			_, child := tr.Start(pctx, "move motor1")
			child.AddEvent("settled", traceAttrs())
			child.SetStatus(codes.Error, "limit switch")
			child.End()
			c.Logger().InfoContext(pctx, "scan started", "points", 11)
			parent.End()
			if err := c.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			spans := rcv.RequireSpans(2, 10*time.Second)
			logs := rcv.WaitForLogs(1, 10*time.Second)
			byName := map[string]sightlinetest.Span{}
			for _, s := range spans {
				byName[s.Name()] = s
				if s.Transport != tc.transport {
					t.Errorf("%s came by %s, want %s", s.Name(), s.Transport, tc.transport)
				}
				for k, want := range map[string]string{"service.name": "scanner", "service.instance.id": "bl12/scan/1", "service.namespace": "sightline"} {
					if v, ok := s.Resource.Attributes().Get(k); !ok || v.AsString() != want {
						t.Errorf("%s: resource %s = %v, want %s", s.Name(), k, v.AsString(), want)
					}
				}
			}
			p, ch := byName["scan"], byName["move motor1"]
			if ch.ParentSpanID() != p.SpanID() || ch.TraceID() != p.TraceID() || p.ParentSpanID().IsEmpty() == false {
				t.Errorf("tree: child parent %v, parent id %v", ch.ParentSpanID(), p.SpanID())
			}
			if [16]byte(p.TraceID()) != [16]byte(parent.SpanContext().TraceID()) {
				t.Errorf("trace id changed in transit")
			}
			if ch.Status().Message() != "limit switch" || ch.Events().Len() != 1 || ch.Events().At(0).Name() != "settled" {
				t.Errorf("child status/events lost: %q, %d events", ch.Status().Message(), ch.Events().Len())
			}
			attrs := p.Attributes().AsRaw()
			if attrs["plan"] != "grid" || attrs["points"] != int64(11) || attrs["step"] != 0.5 || attrs["fast"] != true {
				t.Errorf("attributes = %v", attrs)
			}
			if arr, ok := p.Attributes().Get("motors"); !ok || arr.Slice().Len() != 2 {
				t.Errorf("slice attribute = %v", arr.AsRaw())
			}
			if len(logs) != 1 || logs[0].Body().AsString() != "scan started" ||
				[16]byte(logs[0].TraceID()) != [16]byte(parent.SpanContext().TraceID()) ||
				[8]byte(logs[0].SpanID()) != [8]byte(parent.SpanContext().SpanID()) {
				t.Errorf("logs = %d, want the scan log with its trace and span ids", len(logs))
			}
		})
	}
}

func traceAttrs() trace.SpanStartEventOption {
	return trace.WithAttributes(attribute.String("plan", "grid"), attribute.Int("points", 11),
		attribute.Float64("step", 0.5), attribute.Bool("fast", true), attribute.StringSlice("motors", []string{"m1", "m2"}))
}

// deadAddress returns a loopback address nobody listens on.
func deadAddress(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// TestUnreachableCollector: an endpoint that refuses every connection for
// the whole test. The host's spans still start and end (nothing blocks or
// fails the caller), memory stays bounded by the queue, every lost span is
// counted, and the diagnostics log prints a handful of lines, not one per
// export.
func TestUnreachableCollector(t *testing.T) {
	for _, processor := range []string{"simple", "batch"} {
		t.Run(processor, func(t *testing.T) {
			var out syncbuf.Buffer
			telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&out, nil)))
			t.Cleanup(func() { telemetry.SetDiagnostics(nil) })
			addr := deadAddress(t)
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", processor,
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http,grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "http://"+addr+",grpc://"+addr,
				"SIGHTLINE_TELEMETRY_TYPES", "tracing"))
			if err != nil {
				t.Fatal(err)
			}
			const spans = 5000
			tr := c.Tracer("t")
			for i := range spans {
				_, s := tr.Start(ctx, "work")
				s.SetAttributes(attribute.Int("i", i))
				s.End()
			}
			st := c.Control().Status()
			for _, e := range st.Endpoints {
				if e.Pending > 2048 {
					t.Errorf("%s holds %d spans, more than its queue bound", e.Endpoint, e.Pending)
				}
				if e.Exported != 0 {
					t.Errorf("%s exported %d to a dead address", e.Endpoint, e.Exported)
				}
			}
			// The batch queue cannot be flushed to a dead collector (the
			// exporter backs off 5 s before its first retry): Shutdown must
			// give up when its context ends, abort the exports and leave no
			// goroutine (goleak checks at the end of the package's tests).
			limit := 30 * time.Second
			if processor == "batch" {
				limit = time.Second
			}
			sctx, cancel := context.WithTimeout(ctx, limit)
			defer cancel()
			err = c.Shutdown(sctx)
			if processor == "batch" && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Shutdown of a batch pipeline to a dead collector = %v, want the deadline error", err)
			}
			if processor == "simple" && err != nil {
				t.Fatalf("Shutdown with a dead collector: %v", err)
			}
			lines := strings.Count(out.String(), "\n")
			failing := strings.Count(out.String(), "failing")
			if failing < 1 {
				t.Errorf("no export failure reported; diagnostics:\n%s", out.String())
			}
			if lines > 6 {
				t.Errorf("%d diagnostic lines for 2 dead endpoints, want at most 6 (rate-limited):\n%s", lines, out.String())
			}
			var pending uint64 // a failing endpoint keeps its latest span to probe with
			for _, e := range st.Endpoints {
				pending += uint64(e.Pending)
			}
			if processor == "simple" && st.Spans.Dropped+st.Spans.Failed+pending != 2*spans {
				t.Errorf("simple: dropped %d + failed %d + pending %d, want all %d spans x 2 endpoints accounted",
					st.Spans.Dropped, st.Spans.Failed, pending, spans)
			}
			if processor == "batch" && st.Spans.Dropped == 0 && st.Spans.Failed == 0 {
				t.Logf("batch: nothing dropped or failed yet; pending counts %v", st.Endpoints)
			}
			t.Logf("%s: %d diagnostic lines; dropped %d, failed %d", processor, lines, st.Spans.Dropped, st.Spans.Failed)
		})
	}
}
