package telemetry

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// tagProcessor marks every span it sees at start with factory=tag.
type tagProcessor struct{ tag string }

func (p tagProcessor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	s.SetAttributes(attribute.String("factory", p.tag))
}
func (tagProcessor) OnEnd(sdktrace.ReadOnlySpan)      {}
func (tagProcessor) Shutdown(context.Context) error   { return nil }
func (tagProcessor) ForceFlush(context.Context) error { return nil }

// tagging is a ProviderFactory that wraps base and tags its spans.
func tagging(base ProviderFactory, tag string) ProviderFactory {
	return func(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
		return base(append(opts, sdktrace.WithSpanProcessor(tagProcessor{tag}))...)
	}
}

// TestDefaultProviderFactoryAtRuntime: replacing the default factory at
// runtime (PyTango's set_telemetry_tracer_provider_factory, "the factory
// used for all device and client tracers can be changed", pytango
// docs/how-to/telemetry.md, "Adding common information to all traces")
// reaches the components set up after the change; one set up before keeps
// its factory, even for the pipeline an endpoint change builds later; a
// component's own WithProviderFactory wins; nil restores the SDK's.
func TestDefaultProviderFactoryAtRuntime(t *testing.T) {
	t.Cleanup(func() { SetDefaultProviderFactory(nil) })
	ctx := context.Background()
	setup := func(t *testing.T, mem string, opts ...Option) *Component {
		t.Helper()
		fakeMemoryOf(mem).Reset()
		c, err := Setup(ctx, append([]Option{WithComponent(mem), WithEnv(envOf("SIGHTLINE_TELEMETRY_ENABLE", "on",
			"SIGHTLINE_TELEMETRY_TYPES", "tracing", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", testMem,
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", mem))}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Shutdown(ctx) })
		return c
	}
	// tagOf ends a span of c and returns the factory tag of the span its
	// memory endpoint mem got ("" for none).
	tagOf := func(t *testing.T, c *Component, mem string) string {
		t.Helper()
		fakeMemoryOf(mem).Reset()
		_, sp := c.Tracer("factory-test").Start(ctx, "Calc.Echo")
		sp.End()
		m := fakeMemoryOf(mem)
		m.mu.Lock()
		defer m.mu.Unlock()
		if len(m.spans) != 1 {
			t.Fatalf("%s got %d spans, want 1", mem, len(m.spans))
		}
		for _, kv := range m.spans[0].Attributes() {
			if kv.Key == "factory" {
				return kv.Value.AsString()
			}
		}
		return ""
	}

	before := setup(t, "factory-before")
	SetDefaultProviderFactory(tagging(DefaultProviderFactory(), "tango"))
	after := setup(t, "factory-after")
	own := setup(t, "factory-own", WithProviderFactory(tagging(sdktrace.NewTracerProvider, "own")))

	if got := tagOf(t, before, "factory-before"); got != "" {
		t.Errorf("component set up before the change: tag %q, want none (it keeps its factory)", got)
	}
	if got := tagOf(t, after, "factory-after"); got != "tango" {
		t.Errorf("component set up after the change: tag %q, want tango", got)
	}
	if got := tagOf(t, own, "factory-own"); got != "own" {
		t.Errorf("component with its own factory: tag %q, want own", got)
	}
	// An endpoint change builds a new pipeline: with the component's
	// factory, not the default current now.
	if err := before.Control().SetTracingEndpoints(ctx, []Endpoint{{Exporter: testMem, URL: "factory-before2"}}); err != nil {
		t.Fatal(err)
	}
	if got := tagOf(t, before, "factory-before2"); got != "" {
		t.Errorf("component set up before, after an endpoint change: tag %q, want none", got)
	}
	SetDefaultProviderFactory(nil)
	if err := after.Control().SetTracingEndpoints(ctx, []Endpoint{{Exporter: testMem, URL: "factory-after2"}}); err != nil {
		t.Fatal(err)
	}
	if got := tagOf(t, after, "factory-after2"); got != "tango" {
		t.Errorf("component set up after, after an endpoint change and a reset: tag %q, want tango", got)
	}
	if got := tagOf(t, setup(t, "factory-reset"), "factory-reset"); got != "" {
		t.Errorf("component set up after the reset: tag %q, want none", got)
	}
	if DefaultProviderFactory() == nil {
		t.Error("DefaultProviderFactory is nil after the reset")
	}
}
