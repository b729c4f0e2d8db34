package serve_test

import (
	"encoding/json"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
)

// checkSpanViaAPI finds stub in its trace's page and compares every field.
func checkSpanViaAPI(t *testing.T, ui string, s sent, stub tracetest.SpanStub) {
	t.Helper()
	tid, sid := stub.SpanContext.TraceID().String(), stub.SpanContext.SpanID().String()
	var page store.TracePage
	servetest.GetJSON(t, ui, "/api/v1/traces/"+tid, 200, &page)
	i := slices.IndexFunc(page.Spans, func(sp store.Span) bool { return sp.SpanID == sid })
	if page.TraceID != tid || i < 0 {
		t.Fatalf("%s: span %s not in trace %s: %+v", s.transport, sid, tid, page)
	}
	sp := page.Spans[i]
	label := s.transport + " " + stub.Name
	parent := ""
	if stub.Parent.IsValid() {
		parent = stub.Parent.SpanID().String()
	}
	status := map[codes.Code]string{codes.Unset: "unset", codes.Ok: "ok", codes.Error: "error"}[stub.Status.Code]
	if sp.Name != stub.Name || sp.Kind != stub.SpanKind.String() || sp.ParentSpanID != parent ||
		sp.StartUnixNano != stub.StartTime.UnixNano() || sp.EndUnixNano != stub.EndTime.UnixNano() ||
		sp.StatusCode != status || sp.StatusMessage != stub.Status.Description ||
		sp.Scope.Name != "sightline/e2e" || sp.Scope.Version != "1.2.3" || sp.TraceState != stub.SpanContext.TraceState().String() ||
		sp.DroppedAttributes != 0 || sp.DroppedEvents != 0 || sp.DroppedLinks != 0 {
		t.Errorf("%s: got %+v\nsent %+v", label, sp, stub)
	}
	checkAttrs(t, label+" attributes", sp.Attributes, stub.Attributes)
	checkAttrs(t, label+" resource", page.Resources[sp.Resource].Attributes, stub.Resource.Attributes())
	if len(sp.Events) != len(stub.Events) || len(sp.Links) != len(stub.Links) {
		t.Fatalf("%s: %d events, %d links; sent %d, %d", label, len(sp.Events), len(sp.Links), len(stub.Events), len(stub.Links))
	}
	for j, ev := range stub.Events {
		got := sp.Events[j]
		if got.Name != ev.Name || got.TimeUnixNano != ev.Time.UnixNano() {
			t.Errorf("%s: event %+v, sent %+v", label, got, ev)
		}
		checkAttrs(t, label+" event", got.Attributes, ev.Attributes)
	}
	for j, l := range stub.Links {
		got := sp.Links[j]
		if got.TraceID != l.SpanContext.TraceID().String() || got.SpanID != l.SpanContext.SpanID().String() {
			t.Errorf("%s: link %+v, sent %v", label, got, l.SpanContext)
		}
		checkAttrs(t, label+" link", got.Attributes, l.Attributes)
	}
}

// checkAttrs compares JSON attributes (decoded with UseNumber) with what
// was sent, as the API documents them: numbers as JSON numbers, bytes as
// base64, slices as arrays, maps as objects.
func checkAttrs(t *testing.T, label string, got map[string]any, sent []attribute.KeyValue) {
	t.Helper()
	want := map[string]any{}
	for _, kv := range sent {
		want[string(kv.Key)] = jsonValue(kv.Value)
	}
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil || string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", label, g, w)
	}
}

// jsonValue is an attribute value as the store's JSON shapes hold it.
func jsonValue(v attribute.Value) any {
	switch v.Type() {
	case attribute.FLOAT64:
		f := v.AsFloat64()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 0):
			return map[bool]string{true: "Infinity", false: "-Infinity"}[f > 0]
		}
		return f
	case attribute.SLICE:
		var out []any
		for _, e := range v.AsSlice() {
			out = append(out, jsonValue(e))
		}
		return out
	case attribute.MAP:
		out := map[string]any{}
		for _, kv := range v.AsMap() {
			out[string(kv.Key)] = jsonValue(kv.Value)
		}
		return out
	case attribute.BYTESLICE:
		return v.AsByteSlice()
	case attribute.EMPTY:
		return nil
	}
	return v.AsInterface()
}

// flatSpan is a span with its resource and scope, for exact comparison.
type flatSpan struct {
	Resource, ScopeAttrs, Attrs map[string]any
	Scope, ScopeVersion, Name   string
	TraceID                     pcommon.TraceID
	Parent                      pcommon.SpanID
	Kind                        ptrace.SpanKind
	Start, End                  pcommon.Timestamp
	Status                      ptrace.StatusCode
	StatusMsg, TraceState       string
	Events, Links               []any
}

func flatten(td ptrace.Traces) map[pcommon.SpanID]flatSpan {
	out := map[pcommon.SpanID]flatSpan{}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				f := flatSpan{
					Resource: rs.Resource().Attributes().AsRaw(), ScopeAttrs: ss.Scope().Attributes().AsRaw(), Attrs: sp.Attributes().AsRaw(),
					Scope: ss.Scope().Name(), ScopeVersion: ss.Scope().Version(), Name: sp.Name(), TraceID: sp.TraceID(), Parent: sp.ParentSpanID(),
					Kind: sp.Kind(), Start: sp.StartTimestamp(), End: sp.EndTimestamp(), Status: sp.Status().Code(),
					StatusMsg: sp.Status().Message(), TraceState: sp.TraceState().AsRaw(),
				}
				for _, ev := range sp.Events().All() {
					f.Events = append(f.Events, []any{ev.Name(), ev.Timestamp(), ev.Attributes().AsRaw()})
				}
				for _, l := range sp.Links().All() {
					f.Links = append(f.Links, []any{l.TraceID(), l.SpanID(), l.TraceState().AsRaw(), l.Attributes().AsRaw()})
				}
				out[sp.SpanID()] = f
			}
		}
	}
	return out
}

// expectedOTLP is the trace tid of spans as OTLP, by the SDK's own
// transform.
func expectedOTLP(t *testing.T, tid string, spans tracetest.SpanStubs) map[pcommon.SpanID]flatSpan {
	var ro []sdktrace.ReadOnlySpan
	for _, s := range spans.Snapshots() {
		if s.SpanContext().TraceID().String() == tid {
			ro = append(ro, s)
		}
	}
	return flatten(sdkTraces(t, ro))
}

func compareOTLP(t *testing.T, label string, got, want map[pcommon.SpanID]flatSpan) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d spans, want %d", label, len(got), len(want))
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || !reflect.DeepEqual(g, w) {
			t.Errorf("%s: span %v:\n got %+v\nwant %+v", label, id, g, w)
		}
	}
}

// checkOTLPDownload compares the OTLP-JSON download with what was sent.
func checkOTLPDownload(t *testing.T, ui, tid string, spans tracetest.SpanStubs) {
	t.Helper()
	resp, body := servetest.Get(t, ui+"/api/v1/traces/"+tid+"/otlp", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "trace-"+tid+".json") {
		t.Fatalf("otlp download: %d %v", resp.StatusCode, resp.Header)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
	if err != nil {
		t.Fatal(err)
	}
	compareOTLP(t, "otlp download "+tid, flatten(td), expectedOTLP(t, tid, spans))
}

// checkTempo reads the trace as Grafana's Tempo data source does.
func checkTempo(t *testing.T, ui, tid string, spans tracetest.SpanStubs) {
	t.Helper()
	resp, body := servetest.Get(t, ui+"/api/traces/"+tid, "application/protobuf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/protobuf" {
		t.Fatalf("tempo: %d %v", resp.StatusCode, resp.Header)
	}
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
	if err != nil {
		t.Fatal(err)
	}
	compareOTLP(t, "tempo "+tid, flatten(td), expectedOTLP(t, tid, spans))
	if resp, body := servetest.Get(t, ui+"/api/echo", ""); resp.StatusCode != 200 || string(body) != "echo" {
		t.Errorf("echo: %d %q", resp.StatusCode, body)
	}
}

// checkSearches runs search filters over HTTP.
func checkSearches(t *testing.T, ui string, all []sent) {
	t.Helper()
	request := func(s sent) string { return s.spans[1].SpanContext.TraceID().String() }
	elsewhere := func(s sent) string { return s.spans[0].SpanContext.TraceID().String() }
	grpc, proto, js := all[0], all[1], all[2]
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"service=e2e-grpc", []string{request(grpc), elsewhere(grpc)}},
		{"service=e2e-grpc&span_name=child", []string{request(grpc)}},
		{"attr=" + url.QueryEscape("attr.string=µ-motor ✓ \"quoted\""), []string{request(js), request(proto), request(grpc)}},
		{"attr=client%3D1", []string{request(proto)}},
		{"attr=res.int%3D9223372036854775807&span_name=elsewhere", []string{elsewhere(js), elsewhere(proto), elsewhere(grpc)}},
		{"errors=true&service=e2e-http-json", []string{request(js)}},
		{"min_duration=1h", nil},
	} {
		var res store.TraceSearch
		servetest.GetJSON(t, ui, "/api/v1/traces?"+c.query, 200, &res)
		var got []string
		for _, tr := range res.Traces {
			got = append(got, tr.TraceID)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("search ?%s: %q, want %q", c.query, got, want)
		}
	}
	var svcs struct{ Services []string }
	servetest.GetJSON(t, ui, "/api/v1/services", 200, &svcs)
	for _, s := range all {
		if !slices.Contains(svcs.Services, s.service) {
			t.Errorf("services %q lack %s", svcs.Services, s.service)
		}
	}
}

// checkJaeger reads the trace through Jaeger's query API at /jaeger, as
// Grafana's Jaeger data source does (/api/services, then /api/traces/{id}).
func checkJaeger(t *testing.T, ui, tid string, s sent) {
	t.Helper()
	var services struct {
		Data []string `json:"data"`
	}
	servetest.GetJSON(t, ui, "/jaeger/api/services", 200, &services)
	if !slices.Contains(services.Data, s.service) {
		t.Errorf("jaeger services %v lack %s", services.Data, s.service)
	}
	var traces struct {
		Data []struct {
			TraceID string `json:"traceID"`
			Spans   []struct {
				SpanID        string `json:"spanID"`
				OperationName string `json:"operationName"`
			} `json:"spans"`
		} `json:"data"`
	}
	servetest.GetJSON(t, ui, "/jaeger/api/traces/"+tid, 200, &traces)
	if len(traces.Data) != 1 || traces.Data[0].TraceID != tid {
		t.Fatalf("jaeger trace %s: %+v", tid, traces)
	}
	want := 0
	for _, st := range s.spans {
		if st.SpanContext.TraceID().String() == tid {
			want++
		}
	}
	if got := len(traces.Data[0].Spans); got != want {
		t.Errorf("jaeger trace %s: %d spans, want %d", tid, got, want)
	}
}
