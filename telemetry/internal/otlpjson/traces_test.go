package otlpjson_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

var (
	linkTraceID = trace.TraceID{0xff, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	linkSpanID1 = trace.SpanID{3, 3, 3, 3, 3, 3, 3, 3}
	linkSpanID2 = trace.SpanID{4, 4, 4, 4, 4, 4, 4, 4}
)

// fullSpan sets every field a span has.
func fullSpan(t *testing.T) tracetest.SpanStub {
	t.Helper()
	return tracetest.SpanStub{
		Name: "GET /items",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled,
			TraceState: mustTraceState(t, "vendor=abc,other=x"),
		}),
		Parent: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: testTraceID, SpanID: testParentID, TraceFlags: trace.FlagsSampled, Remote: true,
		}),
		SpanKind:   trace.SpanKindServer,
		StartTime:  testStart,
		EndTime:    testStart.Add(1500 * time.Millisecond),
		Attributes: allAttrs(),
		Events: []sdktrace.Event{
			{Name: "exception", Attributes: allAttrs(), DroppedAttributeCount: 2, Time: testStart.Add(time.Millisecond)},
			{Name: "second", Time: testStart.Add(2 * time.Millisecond)},
		},
		Links: []sdktrace.Link{
			{
				SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
					TraceID: linkTraceID, SpanID: linkSpanID1, TraceFlags: trace.FlagsSampled,
					TraceState: mustTraceState(t, "l=1"), Remote: true,
				}),
				Attributes:            allAttrs(),
				DroppedAttributeCount: 3,
			},
			{SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: linkTraceID, SpanID: linkSpanID2})},
		},
		Status:            sdktrace.Status{Code: codes.Error, Description: "boom"},
		DroppedAttributes: 4,
		DroppedEvents:     5,
		DroppedLinks:      6,
		Resource: resource.NewWithAttributes("https://example.com/resource-schema",
			attribute.String("service.name", "svc"), attribute.Int("res.n", 1)),
		InstrumentationScope: instrumentation.Scope{
			Name: "sightline/test", Version: "1.2.3", SchemaURL: "https://example.com/scope-schema",
			Attributes: attribute.NewSet(attribute.String("scope.attr", "s")),
		},
	}
}

func TestTracesFullSpan(t *testing.T) {
	td := otlpjson.Traces([]sdktrace.ReadOnlySpan{fullSpan(t).Snapshot()})
	if td.ResourceSpans().Len() != 1 || td.ResourceSpans().At(0).ScopeSpans().Len() != 1 ||
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().Len() != 1 {
		t.Fatalf("want exactly one resource, scope and span; got %d spans", td.SpanCount())
	}
	rs := td.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	s := ss.Spans().At(0)
	e0, e1 := s.Events().At(0), s.Events().At(1)
	l0, l1 := s.Links().At(0), s.Links().At(1)
	ts := func(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(testStart.Add(d)) }

	tests := []struct {
		field     string
		got, want any
	}{
		{"resource schema URL", rs.SchemaUrl(), "https://example.com/resource-schema"},
		{"resource attributes", rs.Resource().Attributes().AsRaw(), map[string]any{"service.name": "svc", "res.n": int64(1)}},
		{"scope name", ss.Scope().Name(), "sightline/test"},
		{"scope version", ss.Scope().Version(), "1.2.3"},
		{"scope schema URL", ss.SchemaUrl(), "https://example.com/scope-schema"},
		{"scope attributes", ss.Scope().Attributes().AsRaw(), map[string]any{"scope.attr": "s"}},
		{"trace id", s.TraceID(), pcommon.TraceID(testTraceID)},
		{"span id", s.SpanID(), pcommon.SpanID(testSpanID)},
		{"trace state", s.TraceState().AsRaw(), "vendor=abc,other=x"},
		{"parent span id", s.ParentSpanID(), pcommon.SpanID(testParentID)},
		{"flags", s.Flags(), uint32(0x301)},
		{"name", s.Name(), "GET /items"},
		{"kind", s.Kind(), ptrace.SpanKindServer},
		{"start", s.StartTimestamp(), ts(0)},
		{"end", s.EndTimestamp(), ts(1500 * time.Millisecond)},
		{"dropped attributes", s.DroppedAttributesCount(), uint32(4)},
		{"dropped events", s.DroppedEventsCount(), uint32(5)},
		{"dropped links", s.DroppedLinksCount(), uint32(6)},
		{"status code", s.Status().Code(), ptrace.StatusCodeError},
		{"status message", s.Status().Message(), "boom"},
		{"events", s.Events().Len(), 2},
		{"event 0 name", e0.Name(), "exception"},
		{"event 0 time", e0.Timestamp(), ts(time.Millisecond)},
		{"event 0 dropped", e0.DroppedAttributesCount(), uint32(2)},
		{"event 1 name", e1.Name(), "second"},
		{"event 1 time", e1.Timestamp(), ts(2 * time.Millisecond)},
		{"event 1 attributes", e1.Attributes().Len(), 0},
		{"links", s.Links().Len(), 2},
		{"link 0 trace id", l0.TraceID(), pcommon.TraceID(linkTraceID)},
		{"link 0 span id", l0.SpanID(), pcommon.SpanID(linkSpanID1)},
		{"link 0 trace state", l0.TraceState().AsRaw(), "l=1"},
		{"link 0 flags", l0.Flags(), uint32(0x301)},
		{"link 0 dropped", l0.DroppedAttributesCount(), uint32(3)},
		{"link 1 span id", l1.SpanID(), pcommon.SpanID(linkSpanID2)},
		{"link 1 trace state", l1.TraceState().AsRaw(), ""},
		{"link 1 flags", l1.Flags(), uint32(0x100)},
		{"link 1 attributes", l1.Attributes().Len(), 0},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) || fmt.Sprintf("%T", tt.got) != fmt.Sprintf("%T", tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.field, tt.got, tt.want)
		}
	}
	checkAllAttrs(t, "span", s.Attributes())
	checkAllAttrs(t, "event 0", e0.Attributes())
	checkAllAttrs(t, "link 0", l0.Attributes())
}

func TestTracesFlagsKindStatus(t *testing.T) {
	sc := func(flags trace.TraceFlags, sid trace.SpanID, remote bool) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: sid, TraceFlags: flags, Remote: remote})
	}
	tests := []struct {
		name       string
		flags      trace.TraceFlags
		parent     trace.SpanContext
		kind       trace.SpanKind
		status     sdktrace.Status
		wantFlags  uint32
		wantParent pcommon.SpanID
		wantKind   ptrace.SpanKind
		wantCode   ptrace.StatusCode
	}{
		{"root sampled", trace.FlagsSampled, trace.SpanContext{}, trace.SpanKindInternal, sdktrace.Status{},
			0x101, pcommon.SpanID{}, ptrace.SpanKindInternal, ptrace.StatusCodeUnset},
		{"local parent unsampled", 0, sc(0, testParentID, false), trace.SpanKindClient, sdktrace.Status{Code: codes.Ok},
			0x100, pcommon.SpanID(testParentID), ptrace.SpanKindClient, ptrace.StatusCodeOk},
		{"remote parent sampled", trace.FlagsSampled, sc(trace.FlagsSampled, testParentID, true), trace.SpanKindServer, sdktrace.Status{Code: codes.Error},
			0x301, pcommon.SpanID(testParentID), ptrace.SpanKindServer, ptrace.StatusCodeError},
		{"random flag kept", trace.FlagsSampled | trace.FlagsRandom, trace.SpanContext{}, trace.SpanKindProducer, sdktrace.Status{},
			0x103, pcommon.SpanID{}, ptrace.SpanKindProducer, ptrace.StatusCodeUnset},
		{"consumer", 0, trace.SpanContext{}, trace.SpanKindConsumer, sdktrace.Status{},
			0x100, pcommon.SpanID{}, ptrace.SpanKindConsumer, ptrace.StatusCodeUnset},
		{"unspecified kind", 0, trace.SpanContext{}, trace.SpanKindUnspecified, sdktrace.Status{},
			0x100, pcommon.SpanID{}, ptrace.SpanKindUnspecified, ptrace.StatusCodeUnset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := tracetest.SpanStub{Name: tt.name, SpanContext: sc(tt.flags, testSpanID, false), Parent: tt.parent, SpanKind: tt.kind, Status: tt.status}
			s := otlpjson.Traces([]sdktrace.ReadOnlySpan{stub.Snapshot()}).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			if s.Flags() != tt.wantFlags {
				t.Errorf("flags = %#x, want %#x", s.Flags(), tt.wantFlags)
			}
			if s.ParentSpanID() != tt.wantParent {
				t.Errorf("parent = %v, want %v", s.ParentSpanID(), tt.wantParent)
			}
			if s.Kind() != tt.wantKind {
				t.Errorf("kind = %v, want %v", s.Kind(), tt.wantKind)
			}
			if s.Status().Code() != tt.wantCode {
				t.Errorf("status = %v, want %v", s.Status().Code(), tt.wantCode)
			}
			if s.StartTimestamp() != 0 || s.EndTimestamp() != 0 {
				t.Errorf("zero times became %v, %v; want 0", s.StartTimestamp(), s.EndTimestamp())
			}
		})
	}
}

func TestTracesGrouping(t *testing.T) {
	resA := resource.NewWithAttributes("https://example.com/a", attribute.String("service.name", "a"))
	resA2 := resource.NewWithAttributes("https://example.com/a", attribute.String("service.name", "a")) // equal to resA
	resB := resource.NewWithAttributes("https://example.com/b", attribute.String("service.name", "b"))
	resAOtherSchema := resource.NewWithAttributes("https://example.com/other", attribute.String("service.name", "a"))
	scope1 := instrumentation.Scope{Name: "one"}
	scope2 := instrumentation.Scope{Name: "two", Version: "2"}
	scope1Attrs := instrumentation.Scope{Name: "one", Attributes: attribute.NewSet(attribute.Bool("x", true))}

	type in struct {
		res   *resource.Resource
		scope instrumentation.Scope
	}
	tests := []struct {
		name  string
		spans []in
		want  string // resources separated by "|", scopes by ";", spans listed by index
	}{
		{"empty", nil, ""},
		{"one", []in{{resA, scope1}}, "a:one[0]"},
		{"two resources two scopes", []in{{resA, scope1}, {resB, scope1}, {resA, scope2}, {resA2, scope1}, {resB, scope2}},
			"a:one[0 3];two[2]|b:one[1];two[4]"},
		{"scope attributes distinguish", []in{{resA, scope1}, {resA, scope1Attrs}, {resA, scope1}}, "a:one[0 2];one[1]"},
		{"schema URL distinguishes resources", []in{{resA, scope1}, {resAOtherSchema, scope1}}, "a:one[0]|a:one[1]"},
		{"nil resource", []in{{nil, scope1}, {nil, scope1}}, ":one[0 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spans []sdktrace.ReadOnlySpan
			for i, s := range tt.spans {
				spans = append(spans, tracetest.SpanStub{Name: strconv.Itoa(i), Resource: s.res, InstrumentationScope: s.scope}.Snapshot())
				if i == 1 {
					spans = append(spans, nil) // skipped
				}
			}
			if got := describe(otlpjson.Traces(spans)); got != tt.want {
				t.Errorf("grouping = %q, want %q", got, tt.want)
			}
		})
	}
}

// describe renders the resource/scope/span structure of td compactly.
func describe(td ptrace.Traces) string {
	var rss []string
	for _, rs := range td.ResourceSpans().All() {
		name, _ := rs.Resource().Attributes().Get("service.name")
		var sss []string
		for _, ss := range rs.ScopeSpans().All() {
			var names []string
			for _, s := range ss.Spans().All() {
				names = append(names, s.Name())
			}
			sss = append(sss, ss.Scope().Name()+"["+strings.Join(names, " ")+"]")
		}
		rss = append(rss, name.Str()+":"+strings.Join(sss, ";"))
	}
	return strings.Join(rss, "|")
}

func TestTracesFromTracerProvider(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(exp),
		sdktrace.WithResource(testResource(t, "provider")),
	)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("sightline/provider", trace.WithInstrumentationVersion("0.1.0"), trace.WithSchemaURL("https://example.com/s"))

	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testParentID, TraceFlags: trace.FlagsSampled, Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
	ctx, parent := tracer.Start(ctx, "parent", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(allAttrs()...))
	_, child := tracer.Start(ctx, "child", trace.WithLinks(trace.Link{SpanContext: remote, Attributes: []attribute.KeyValue{attribute.String("why", "retry")}}))
	child.AddEvent("tick", trace.WithAttributes(attribute.Int("n", 1)))
	child.RecordError(errors.New("bad thing"))
	child.SetStatus(codes.Error, "failed")
	child.End()
	parent.End()

	td := otlpjson.Traces(exp.GetSpans().Snapshots())
	if got := describe(td); got != "provider:sightline/provider[child parent]" {
		t.Fatalf("structure = %q", got)
	}
	ss := td.ResourceSpans().At(0).ScopeSpans().At(0)
	if ss.Scope().Version() != "0.1.0" || ss.SchemaUrl() != "https://example.com/s" {
		t.Errorf("scope = %q %q", ss.Scope().Version(), ss.SchemaUrl())
	}
	c, p := ss.Spans().At(0), ss.Spans().At(1)
	checkAllAttrs(t, "parent", p.Attributes())

	tests := []struct {
		field     string
		got, want any
	}{
		{"parent trace id", p.TraceID(), pcommon.TraceID(testTraceID)},
		{"parent parent id", p.ParentSpanID(), pcommon.SpanID(testParentID)},
		{"parent flags (remote parent)", p.Flags(), uint32(0x301)},
		{"parent kind", p.Kind(), ptrace.SpanKindServer},
		{"child trace id", c.TraceID(), pcommon.TraceID(testTraceID)},
		{"child parent id", c.ParentSpanID(), p.SpanID()},
		{"child flags (local parent)", c.Flags(), uint32(0x101)},
		{"child kind", c.Kind(), ptrace.SpanKindInternal},
		{"child status", c.Status().Code(), ptrace.StatusCodeError},
		{"child status message", c.Status().Message(), "failed"},
		{"child events", c.Events().Len(), 2},
		{"child event 0", c.Events().At(0).Name(), "tick"},
		{"child event 1", c.Events().At(1).Name(), "exception"},
		{"child link span id", c.Links().At(0).SpanID(), pcommon.SpanID(testParentID)},
		{"child link flags", c.Links().At(0).Flags(), uint32(0x301)},
		{"child link attrs", fmt.Sprint(c.Links().At(0).Attributes().AsRaw()), "map[why:retry]"},
		{"child times ordered", c.StartTimestamp() > 0 && c.EndTimestamp() >= c.StartTimestamp(), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.field, tt.got, tt.want)
		}
	}
	msg, _ := c.Events().At(1).Attributes().Get("exception.message")
	if msg.Str() != "bad thing" {
		t.Errorf("exception.message = %q", msg.Str())
	}
}

func TestTracesJSONRoundTrip(t *testing.T) {
	spans := append([]sdktrace.ReadOnlySpan{fullSpan(t).Snapshot()}, simpleSpans(t, 3)...)
	td := otlpjson.Traces(spans)

	var m ptrace.JSONMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsRune(b, '\n') {
		t.Error("JSON contains a newline; the file format needs one object per line")
	}
	var u ptrace.JSONUnmarshaler
	back, err := u.UnmarshalTraces(b)
	if err != nil {
		t.Fatal(err)
	}
	// Equal protobuf encodings mean equal data.
	var pm ptrace.ProtoMarshaler
	want, _ := pm.MarshalTraces(td)
	got, _ := pm.MarshalTraces(back)
	if !bytes.Equal(got, want) {
		t.Error("traces changed in a JSON round trip")
	}
	if back.SpanCount() != 4 {
		t.Errorf("span count = %d, want 4", back.SpanCount())
	}
	checkAllAttrs(t, "round-tripped span", back.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes())
}

func TestTracesEmpty(t *testing.T) {
	if n := otlpjson.Traces(nil).ResourceSpans().Len(); n != 0 {
		t.Errorf("Traces(nil) has %d resources", n)
	}
}
