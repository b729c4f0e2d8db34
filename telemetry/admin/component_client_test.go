package admin

import (
	"context"
	"slices"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

// TestComponentClient: a client bound to one component reaches that
// component's routes for every call, reads and changes alike.
func TestComponentClient(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	b, ctl := f.client.Component("motor"), f.comp.Control()
	if b.Name() != "motor" {
		t.Fatalf("Name = %q", b.Name())
	}
	other := telemetry.Endpoint{Exporter: "memory", URL: memName()}
	steps := []struct {
		name  string
		call  func() error
		check func() bool
	}{
		{"disable", func() error { return b.Disable(ctx) }, func() bool { return !ctl.Enabled() }},
		{"enable", func() error { return b.Enable(ctx) }, ctl.Enabled},
		{"set topics", func() error { return b.SetTopics(ctx, []string{"user", "kernel"}) },
			func() bool { return ctl.Topics() == telemetry.Topics{User: true, Kernel: true} }},
		{"tracing off", func() error { return b.SetTracing(ctx, false) }, func() bool { return !ctl.Tracing() }},
		{"tracing on", func() error { return b.SetTracing(ctx, true) }, ctl.Tracing},
		{"logging off", func() error { return b.SetLogging(ctx, false) }, func() bool { return !ctl.Logging() }},
		{"add endpoint", func() error { return b.AddTracingEndpoint(ctx, other) }, func() bool {
			eps, err := b.TracingEndpoints(ctx)
			return err == nil && slices.Contains(eps, other)
		}},
		{"remove endpoint", func() error { return b.RemoveTracingEndpoint(ctx, other) }, func() bool {
			eps, err := b.TracingEndpoints(ctx)
			return err == nil && !slices.Contains(eps, other)
		}},
		{"sampler", func() error {
			return b.SetSampler(ctx, telemetry.Sampler{Name: "parentbased_traceidratio", Ratio: 0.25})
		}, func() bool {
			s, err := b.Sampler(ctx)
			return err == nil && s.Ratio == 0.25
		}},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !s.check() {
			t.Errorf("%s: no effect on the component", s.name)
		}
	}
	st, err := b.Status(ctx)
	if err != nil || st.Component != "motor" {
		t.Errorf("Status = %+v, %v", st, err)
	}
	if _, err := f.client.Component("nobody").Status(ctx); err == nil {
		t.Error("Status of an unknown component: no error")
	}
}
