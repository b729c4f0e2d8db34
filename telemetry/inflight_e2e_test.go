package telemetry_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// announcedRecords returns the records received for span id, by event.
func announcedRecords(rcv *sightlinetest.Receiver, id trace.SpanID) (heartbeats, stops []sightlinetest.LogRecord) {
	for _, r := range rcv.Logs() {
		if r.SpanID() != [8]byte(id) {
			continue
		}
		switch ev, _ := r.Attributes().Get("partial.event"); ev.Str() {
		case "heartbeat":
			heartbeats = append(heartbeats, r)
		case "stop":
			stops = append(stops, r)
		}
	}
	return heartbeats, stops
}

// decodeBody decodes an announcement's body, failing t unless it is
// OTLP/JSON TracesData with one resource, one scope and one span.
func decodeBody(t *testing.T, r sightlinetest.LogRecord) (ptrace.ResourceSpans, ptrace.Span) {
	t.Helper()
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces([]byte(r.Body().Str()))
	if err != nil {
		t.Fatalf("body of %v does not decode with pdata's JSON unmarshaler: %v", r.SpanID(), err)
	}
	if td.ResourceSpans().Len() != 1 || td.ResourceSpans().At(0).ScopeSpans().Len() != 1 || td.SpanCount() != 1 {
		t.Fatalf("body holds %d resources and %d spans, want one resource, one scope, one span", td.ResourceSpans().Len(), td.SpanCount())
	}
	rs := td.ResourceSpans().At(0)
	return rs, rs.ScopeSpans().At(0).Spans().At(0)
}

// TestInFlightOverRealOTLP announces a parent and a child over OTLP/HTTP
// and OTLP/gRPC to sightline's receiver and checks every record against
// the contract (docs/api.md): the attributes, the ids, the scope and
// resource, and a body that decodes into the span as it is, without an
// end time in heartbeats and with the finished span's end in the one stop
// record; the finished spans arrive once each, as without announcing.
func TestInFlightOverRealOTLP(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	for _, tc := range []struct{ name, exporter, endpoint, transport string }{
		{"http", "http", rcv.HTTPEndpoint(), sightlinetest.TransportHTTP},
		{"grpc", "grpc", rcv.GRPCEndpoint(), sightlinetest.TransportGRPC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv.Reset()
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", tc.exporter, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", tc.endpoint,
				"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD", "50ms", "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL", "300ms"),
				telemetry.WithServiceName("scanner"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Shutdown(ctx)
			tr := c.Tracer("sightline/e2e")
			pctx, scan := tr.Start(ctx, "scan", trace.WithAttributes(attribute.String("plan", "grid"), attribute.Int("points", 11)))
			_, move := tr.Start(pctx, "move motor1", trace.WithSpanKind(trace.SpanKindClient))
			poll.Until(t, 15*time.Second, "heartbeats of both spans", func() bool {
				h1, _ := announcedRecords(rcv, scan.SpanContext().SpanID())
				h2, _ := announcedRecords(rcv, move.SpanContext().SpanID())
				return len(h1) > 0 && len(h2) > 0
			})
			move.AddEvent("settled")
			move.End()
			scan.End()
			if err := c.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			finished := map[string]sightlinetest.Span{}
			for _, s := range rcv.RequireSpans(2, 10*time.Second) {
				if _, dup := finished[s.Name()]; dup {
					t.Errorf("span %s arrived twice", s.Name())
				}
				finished[s.Name()] = s
			}
			for _, sp := range []trace.Span{scan, move} {
				checkAnnounced(t, rcv, sp, finished, tc.transport)
			}
		})
	}
}

// checkAnnounced checks the heartbeats and the stop record of sp.
func checkAnnounced(t *testing.T, rcv *sightlinetest.Receiver, sp trace.Span, finished map[string]sightlinetest.Span, transport string) {
	t.Helper()
	sc := sp.SpanContext()
	heartbeats, stops := announcedRecords(rcv, sc.SpanID())
	if len(heartbeats) == 0 || len(stops) != 1 {
		t.Fatalf("span %v: %d heartbeats and %d stops, want some and exactly one", sc.SpanID(), len(heartbeats), len(stops))
	}
	for i, r := range append(heartbeats, stops...) {
		stop := i == len(heartbeats)
		want := map[string]any{"partial.event": "heartbeat", "partial.frequency": "300ms", "partial.body.type": "json/v1"}
		if stop {
			want = map[string]any{"partial.event": "stop", "partial.body.type": "json/v1"}
		}
		if got := r.Attributes().AsRaw(); !equalAny(got, want) {
			t.Errorf("record %d attributes %v, want %v", i, got, want)
		}
		if r.TraceID() != [16]byte(sc.TraceID()) || r.SeverityNumber() != 0 || r.SeverityText() != "" || r.Timestamp() == 0 {
			t.Errorf("record %d: trace id %v severity %v %q timestamp %v; want the span's, none, none, set",
				i, r.TraceID(), r.SeverityNumber(), r.SeverityText(), r.Timestamp())
		}
		if r.Scope.Name() != telemetry.InFlightScope || r.Transport != transport {
			t.Errorf("record %d: scope %q over %s, want %q over %s", i, r.Scope.Name(), r.Transport, telemetry.InFlightScope, transport)
		}
		if v, _ := r.Resource.Attributes().Get("service.name"); v.Str() != "scanner" {
			t.Errorf("record %d: resource service.name %q, want scanner", i, v.Str())
		}
		rs, s := decodeBody(t, r)
		if v, _ := rs.Resource().Attributes().Get("service.name"); v.Str() != "scanner" {
			t.Errorf("body resource service.name %q, want scanner", v.Str())
		}
		fin := finished[s.Name()]
		if s.TraceID() != fin.TraceID() || s.SpanID() != [8]byte(sc.SpanID()) || s.ParentSpanID() != fin.ParentSpanID() ||
			s.Kind() != fin.Kind() || s.StartTimestamp() != fin.StartTimestamp() {
			t.Errorf("body span %q differs from the finished span in ids, parent, kind or start", s.Name())
		}
		if !s.Attributes().Equal(fin.Attributes()) {
			t.Errorf("body span %q attributes %v, want %v", s.Name(), s.Attributes().AsRaw(), fin.Attributes().AsRaw())
		}
		if !stop && s.EndTimestamp() != 0 {
			t.Errorf("heartbeat of %q has end time %v, want none", s.Name(), s.EndTimestamp())
		}
		if stop && (s.EndTimestamp() != fin.EndTimestamp() || s.Events().Len() != fin.Events().Len()) {
			t.Errorf("stop of %q: end %v and %d events, want the finished span's %v and %d",
				s.Name(), s.EndTimestamp(), s.Events().Len(), fin.EndTimestamp(), fin.Events().Len())
		}
	}
}

func equalAny(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
