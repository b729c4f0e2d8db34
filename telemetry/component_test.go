package telemetry_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

var nonName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// memName is a memory endpoint name unique to the test.
func memName(t *testing.T, suffix string) string {
	n := nonName.ReplaceAllString(t.Name(), "_") + "." + suffix
	sightlinetest.MemoryEndpoint(n).Reset()
	return n
}

func env(kv ...string) telemetry.Option {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return telemetry.WithEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

// setup builds a component exporting spans and logs to memory endpoints.
func setup(t *testing.T, extra ...telemetry.Option) (*telemetry.Component, *sightlinetest.Memory) {
	t.Helper()
	name := memName(t, "mem")
	opts := append([]telemetry.Option{env(
		"SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", name,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", name,
	), telemetry.WithServiceName("motor"), telemetry.WithInstanceID("sim/motor/1")}, extra...)
	c, err := telemetry.Setup(context.Background(), opts...)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, sightlinetest.MemoryEndpoint(name)
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

func TestSpanTreeAndResource(t *testing.T) {
	c, mem := setup(t)
	tr := c.Tracer("test")
	ctx, root := tr.Start(context.Background(), "scan")
	for _, n := range []string{"move", "read", "read"} {
		_, s := tr.Start(ctx, n, trace.WithAttributes(attribute.Int("point", 1)))
		s.End()
	}
	root.SetStatus(codes.Error, "motor fault")
	root.End()

	spans := mem.Spans()
	if got := strings.Join(names(spans), ","); got != "move,read,read,scan" {
		t.Fatalf("spans = %s", got)
	}
	for _, s := range spans[:3] {
		if s.Parent.SpanID() != root.SpanContext().SpanID() || s.SpanContext.TraceID() != root.SpanContext().TraceID() {
			t.Errorf("%s: parent %v, want the scan span", s.Name, s.Parent.SpanID())
		}
	}
	if spans[3].Status.Code != codes.Error || spans[3].Status.Description != "motor fault" {
		t.Errorf("status = %+v", spans[3].Status)
	}
	res := map[string]string{}
	for _, kv := range spans[0].Resource.Attributes() {
		res[string(kv.Key)] = kv.Value.String()
	}
	for k, want := range map[string]string{"service.name": "motor", "service.instance.id": "sim/motor/1",
		"service.namespace": telemetry.DefaultNamespace} {
		if res[k] != want {
			t.Errorf("resource %s = %q, want %q", k, res[k], want)
		}
	}
	for _, k := range []string{"host.name", "process.pid", "process.executable.name"} {
		if res[k] == "" {
			t.Errorf("resource lacks %s", k)
		}
	}
	if c.Name() != "sim/motor/1" {
		t.Errorf("component name = %q, want the instance id", c.Name())
	}
}

func TestOffPropagatesContext(t *testing.T) {
	c, mem := setup(t)
	if err := c.Control().Disable(); err != nil {
		t.Fatal(err)
	}
	// An incoming remote context (as from a traceparent header).
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
		TraceFlags: trace.FlagsSampled, Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), parent)
	ctx2, s := c.Tracer("t").Start(ctx, "hidden")
	if s.IsRecording() {
		t.Fatal("span recording while telemetry is off")
	}
	if got := trace.SpanContextFromContext(ctx2); got.TraceID() != parent.TraceID() || got.SpanID() != parent.SpanID() {
		t.Errorf("outgoing context %v, want the incoming %v", got, parent)
	}
	s.End()

	// Under a recording parent of another component, the off span must
	// carry the parent's context and not end the parent.
	otherName := memName(t, "other")
	other, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", otherName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Shutdown(context.Background())
	otherMem := sightlinetest.MemoryEndpoint(otherName)
	pctx, p := other.Tracer("t").Start(context.Background(), "parent")
	offTracer := c.Tracer("t")
	_, off := offTracer.Start(pctx, "off-child")
	off.End()
	if !p.IsRecording() {
		t.Error("ending an off child ended its recording parent")
	}
	if off.SpanContext().SpanID() != p.SpanContext().SpanID() {
		t.Error("off child does not carry the parent's context")
	}
	// A span started under the off child's context is the parent's child.
	octx, off2 := offTracer.Start(pctx, "off-child-2")
	if off2 != off {
		t.Error("off children of one parent are not shared")
	}
	_, grandchild := other.Tracer("t").Start(octx, "grandchild")
	grandchild.End()
	p.End()
	if n := len(mem.Spans()); n != 0 {
		t.Errorf("%d spans exported while off", n)
	}
	spans := otherMem.Spans()
	if len(spans) != 2 || spans[0].Name != "grandchild" || spans[0].Parent.SpanID() != p.SpanContext().SpanID() {
		t.Errorf("other component exported %v; want the grandchild under the parent, then the parent", names(spans))
	}
}

func TestTopicsGateAtStart(t *testing.T) {
	c, mem := setup(t)
	user := c.Tracer("u")
	kernel := c.Tracer("k", topic.Kernel.TracerOption())
	_, s := kernel.Start(context.Background(), "decode")
	if s.IsRecording() {
		t.Error("kernel span recorded with topics=user")
	}
	s.End()
	if err := c.Control().SetTopics(telemetry.Topics{Kernel: true}); err != nil {
		t.Fatal(err)
	}
	_, k := kernel.Start(context.Background(), "decode")
	_, u := user.Start(context.Background(), "command")
	if !k.IsRecording() || u.IsRecording() {
		t.Errorf("topics=kernel: kernel recording %v, user recording %v", k.IsRecording(), u.IsRecording())
	}
	// The kernel span started while on ends after kernel is turned off: still exported.
	_ = c.Control().SetTopics(telemetry.Topics{User: true})
	k.End()
	u.End()
	if got := strings.Join(names(mem.Spans()), ","); got != "decode" {
		t.Errorf("exported %s, want decode", got)
	}
}

func TestSpanStartedBeforeDisableIsExported(t *testing.T) {
	c, mem := setup(t)
	_, s := c.Tracer("t").Start(context.Background(), "long move")
	if err := c.Control().Disable(); err != nil {
		t.Fatal(err)
	}
	_, after := c.Tracer("t").Start(context.Background(), "after disable")
	after.End()
	s.End()
	if got := strings.Join(names(mem.Spans()), ","); got != "long move" {
		t.Errorf("exported %q, want only the span started before Disable", got)
	}
	if c.Control().Enabled() {
		t.Error("Enabled after Disable")
	}
	if err := c.Control().Enable(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, again := c.Tracer("t").Start(context.Background(), "again")
	again.End()
	if n := len(mem.Spans()); n != 2 {
		t.Errorf("after Enable: %d spans, want 2", n)
	}
}

func TestEndpointChangeKeepsSpansWithTheirPipeline(t *testing.T) {
	c, first := setup(t, telemetry.WithDrainTimeout(time.Minute))
	second := memName(t, "second")
	_, old := c.Tracer("t").Start(context.Background(), "started before")
	err := c.Control().SetTracingEndpoints(context.Background(), []telemetry.Endpoint{{Exporter: "memory", URL: second}})
	if err != nil {
		t.Fatal(err)
	}
	_, fresh := c.Tracer("t").Start(context.Background(), "started after")
	fresh.End()
	old.End()
	if got := names(first.Spans()); len(got) != 1 || got[0] != "started before" {
		t.Errorf("first endpoint got %v", got)
	}
	if got := names(sightlinetest.MemoryEndpoint(second).Spans()); len(got) != 1 || got[0] != "started after" {
		t.Errorf("second endpoint got %v", got)
	}
	st := c.Control().Status()
	if st.Spans.Started != 2 || st.Spans.Ended != 2 || st.Spans.Lost != 0 {
		t.Errorf("span counters %+v", st.Spans)
	}
}

func TestRejectedEndpointChangeLeavesConfig(t *testing.T) {
	c, _ := setup(t)
	before := c.Control().TracingEndpoints()
	for _, eps := range [][]telemetry.Endpoint{
		{{Exporter: "http", URL: "http://"}},
		{{Exporter: "kafka", URL: "x"}},
		{{Exporter: "file", URL: "/nonexistent-dir/x/y.jsonl"}},
		// The http sink (a batch goroutine) is built before the file fails:
		// it must be shut down again (goleak in TestMain checks).
		{{Exporter: "http", URL: "http://127.0.0.1:9/x"}, {Exporter: "file", URL: "/nonexistent-dir/x/y.jsonl"}},
		{{Exporter: "memory", URL: "a"}, {Exporter: "memory", URL: "a"}},
		{{Exporter: "none"}, {Exporter: "console"}},
	} {
		if err := c.Control().SetTracingEndpoints(context.Background(), eps); err == nil {
			t.Errorf("SetTracingEndpoints(%v) accepted", eps)
		}
	}
	if err := c.Control().RemoveTracingEndpoint(context.Background(), telemetry.Endpoint{Exporter: "console", URL: "stdout"}); err == nil ||
		!strings.Contains(err.Error(), "not configured") {
		t.Errorf("removing an absent endpoint: %v", err)
	}
	if got := c.Control().TracingEndpoints(); len(got) != 1 || got[0] != before[0] {
		t.Errorf("endpoints changed by rejected requests: %v", got)
	}
	st := c.Control().Status()
	for _, s := range st.Settings {
		if s.Key == telemetry.KeyTracingEndpoints && s.Origin.Source != telemetry.SourceEnv {
			t.Errorf("origin of rejected setting = %v", s.Origin)
		}
	}
}

func TestAddRemoveEndpointsAndOnChange(t *testing.T) {
	c, _ := setup(t)
	var mu sync.Mutex
	var changes []telemetry.Change
	remove := c.Control().OnChange(func(ch telemetry.Change) { mu.Lock(); changes = append(changes, ch); mu.Unlock() })
	extra := telemetry.Endpoint{Exporter: "memory", URL: memName(t, "extra")}
	ctx := context.Background()
	if err := c.Control().AddTracingEndpoint(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if got := c.Control().TracingEndpoints(); len(got) != 2 || got[1] != extra {
		t.Fatalf("after add: %v", got)
	}
	if err := c.Control().AddTracingEndpoint(ctx, extra); err == nil {
		t.Error("adding a duplicate endpoint accepted")
	}
	first := c.Control().TracingEndpoints()[0]
	_ = c.Control().RemoveTracingEndpoint(ctx, first)
	_ = c.Control().RemoveTracingEndpoint(ctx, extra)
	if got := c.Control().TracingEndpoints(); len(got) != 1 || got[0].Exporter != "none" {
		t.Errorf("after removing all: %v", got)
	}
	_, s := c.Tracer("t").Start(ctx, "x")
	if s.IsRecording() {
		t.Error("span recording with tracing endpoints none")
	}
	remove()
	_ = c.Control().SetSampler(telemetry.RatioSampler(0.5))
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 3 {
		t.Fatalf("OnChange saw %d changes, want 3: %+v", len(changes), changes)
	}
	if changes[0].Key != telemetry.KeyTracingEndpoints || !strings.Contains(changes[0].After, extra.URL) ||
		strings.Contains(changes[0].Before, extra.URL) {
		t.Errorf("change = %+v", changes[0])
	}
}

func TestPrecedenceAndOrigins(t *testing.T) {
	name := memName(t, "p")
	c, err := telemetry.Setup(context.Background(),
		env("SIGHTLINE_TELEMETRY_ENABLE", "off", "SIGHTLINE_TELEMETRY_TOPICS", "kernel", "SIGHTLINE_TELEMETRY_SAMPLER", "0.5",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console"),
		telemetry.WithConfig(func(c *telemetry.Config) { c.Sampler = telemetry.RatioSampler(0.25) }),
		telemetry.WithProperties(map[string][]string{
			"telemetry_enable": {"true"}, "telemetry_tracing_exporters": {"memory"}, "telemetry_tracing_endpoints": {name},
			"device_note": {"free-form"},
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	_ = c.Control().SetTopics(telemetry.Topics{User: true, Kernel: true})
	want := map[string]telemetry.Origin{
		telemetry.KeyEnable:           {Source: telemetry.SourceProperty, Name: "telemetry_enable"},
		telemetry.KeyTracingEndpoints: {Source: telemetry.SourceProperty, Name: "telemetry_tracing_exporters,telemetry_tracing_endpoints"},
		telemetry.KeySampler:          {Source: telemetry.SourceCode},
		telemetry.KeyTopics:           {Source: telemetry.SourceRuntime},
		telemetry.KeyTypes:            {Source: telemetry.SourceDefault},
	}
	for _, s := range c.Control().Status().Settings {
		if w, ok := want[s.Key]; ok && s.Origin != w {
			t.Errorf("%s: origin %+v, want %+v (value %s)", s.Key, s.Origin, w, s.Value)
		}
	}
	if !c.Control().Enabled() || c.Control().Sampler() != telemetry.RatioSampler(0.25) {
		t.Errorf("effective: enabled %v sampler %v", c.Control().Enabled(), c.Control().Sampler())
	}
	_, s := c.Tracer("t").Start(context.Background(), "x", trace.WithNewRoot())
	s.End()
	_ = s
}

func TestSlogRecordsCarryTraceIDs(t *testing.T) {
	c, mem := setup(t)
	ctx, s := c.Tracer("t").Start(context.Background(), "op")
	c.Logger().InfoContext(ctx, "moving", "target", 3.5)
	s.End()
	_ = c.ForceFlush(context.Background())
	logs := mem.Logs()
	if len(logs) != 1 {
		t.Fatalf("%d log records, want 1", len(logs))
	}
	if logs[0].TraceID() != s.SpanContext().TraceID() || logs[0].SpanID() != s.SpanContext().SpanID() {
		t.Errorf("log trace %v span %v, want %v %v", logs[0].TraceID(), logs[0].SpanID(),
			s.SpanContext().TraceID(), s.SpanContext().SpanID())
	}
	if logs[0].Body().AsString() != "moving" {
		t.Errorf("body %v", logs[0].Body())
	}
	_ = c.Control().SetLogging(false)
	c.Logger().Info("dropped")
	if n := len(mem.Logs()); n != 1 {
		t.Errorf("%d logs after logging off, want 1", n)
	}
}

func TestShutdownIsIdempotentAndFinal(t *testing.T) {
	c, _ := setup(t)
	ctx := context.Background()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if err := c.Control().Enable(ctx); !errors.Is(err, telemetry.ErrShutdown) {
		t.Errorf("Enable after Shutdown = %v", err)
	}
	_, s := c.Tracer("t").Start(ctx, "x")
	if s.IsRecording() {
		t.Error("span recording after Shutdown")
	}
}
