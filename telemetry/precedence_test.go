package telemetry_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
)

// The one precedence rule, lowest first: default < environment < code
// options (WithConfig, WithServiceName, ...) < stored properties < runtime
// changes (until restart). Code options are the program's defaults, so they
// win over the environment, as explicit options do; stored properties are
// the operator's persisted per-component settings (admin ?persist=1), which
// must survive a restart even for settings the code sets.

// layers is one configuration, layer by layer; nil means the layer is
// absent.
type layers struct {
	env     map[string]string
	code    []telemetry.Option
	props   map[string][]string
	runtime func(*telemetry.Control) error
}

// withoutTop returns l without its highest layer.
func (l layers) withoutTop() layers {
	switch {
	case l.runtime != nil:
		l.runtime = nil
	case l.props != nil:
		l.props = nil
	case l.code != nil:
		l.code = nil
	default:
		l.env = nil
	}
	return l
}

// value is a setting's effective value and where it came from.
type value struct {
	text string
	from telemetry.Source
}

// TestPrecedenceLayers checks every layer against the next: with both set,
// the higher one wins (and is reported as the source); without the higher
// one, the lower one shows through.
func TestPrecedenceLayers(t *testing.T) {
	ratio := func(r float64) string { return telemetry.RatioSampler(r).String() }
	tests := []struct {
		name     string
		key      string
		layers   layers
		want     value // with every layer given
		whenLess value // without the highest layer
	}{
		{"environment over default", telemetry.KeyTopics,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_TOPICS": "kernel"}},
			value{"kernel", telemetry.SourceEnv}, value{"user", telemetry.SourceDefault}},
		{"code over environment: WithConfig", telemetry.KeySampler,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_SAMPLER": "0.5"},
				code: []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.Sampler = telemetry.RatioSampler(0.25) })}},
			value{ratio(0.25), telemetry.SourceCode}, value{ratio(0.5), telemetry.SourceEnv}},
		{"code over environment: WithServiceName", telemetry.KeyServiceName,
			layers{env: map[string]string{"OTEL_SERVICE_NAME": "from-env"}, code: []telemetry.Option{telemetry.WithServiceName("from-code")}},
			value{"from-code", telemetry.SourceCode}, value{"from-env", telemetry.SourceEnv}},
		{"properties over code", telemetry.KeyEnable,
			layers{code: []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.Enabled = true })},
				props: map[string][]string{"telemetry_enable": {"off"}}},
			value{"off", telemetry.SourceProperty}, value{"on", telemetry.SourceCode}},
		{"properties over code and environment", telemetry.KeyTopics,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_TOPICS": "all"},
				code:  []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.Topics = telemetry.Topics{Kernel: true} })},
				props: map[string][]string{"telemetry_topics": {"user"}}},
			value{"user", telemetry.SourceProperty}, value{"kernel", telemetry.SourceCode}},
		{"runtime over properties", telemetry.KeyTopics,
			layers{props: map[string][]string{"telemetry_topics": {"kernel"}},
				runtime: func(c *telemetry.Control) error { return c.SetTopics(telemetry.Topics{User: true, Kernel: true}) }},
			value{"user,kernel", telemetry.SourceRuntime}, value{"kernel", telemetry.SourceProperty}},
		{"runtime over every layer", telemetry.KeyEnable,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on"},
				code:    []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.Enabled = false })},
				props:   map[string][]string{"telemetry_enable": {"on"}},
				runtime: func(c *telemetry.Control) error { return c.Disable() }},
			value{"off", telemetry.SourceRuntime}, value{"on", telemetry.SourceProperty}},
		{"in-flight: environment over default", telemetry.KeyInFlightInterval,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL": "30s"}},
			value{"30s", telemetry.SourceEnv}, value{"10s", telemetry.SourceDefault}},
		{"in-flight: code over environment", telemetry.KeyInFlightThreshold,
			layers{env: map[string]string{"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD": "3000"},
				code: []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.InFlightThreshold = 2 * time.Second })}},
			value{"2s", telemetry.SourceCode}, value{"3s", telemetry.SourceEnv}},
		{"in-flight: properties over code", telemetry.KeyInFlight,
			layers{code: []telemetry.Option{telemetry.WithConfig(func(c *telemetry.Config) { c.InFlight = telemetry.InFlightOff })},
				props: map[string][]string{telemetry.PropInFlight: {"on"}}},
			value{"on", telemetry.SourceProperty}, value{"off", telemetry.SourceCode}},
		{"in-flight: runtime over properties", telemetry.KeyInFlightInterval,
			layers{props: map[string][]string{telemetry.PropInFlightInterval: {"20s"}},
				runtime: func(c *telemetry.Control) error { return c.SetInFlightInterval(5 * time.Second) }},
			value{"5s", telemetry.SourceRuntime}, value{"20s", telemetry.SourceProperty}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				l    layers
				want value
			}{{"all layers", tt.layers, tt.want}, {"without the highest", tt.layers.withoutTop(), tt.whenLess}} {
				got := effective(t, c.l, tt.key)
				if got != c.want {
					t.Errorf("%s: %s = %q from %s, want %q from %s", c.name, tt.key, got.text, got.from, c.want.text, c.want.from)
				}
			}
		})
	}
}

// effective sets a component up from l and returns key's value and source.
func effective(t *testing.T, l layers, key string) value {
	t.Helper()
	opts := append([]telemetry.Option{telemetry.WithEnv(func(k string) (string, bool) { v, ok := l.env[k]; return v, ok })}, l.code...)
	if l.props != nil {
		opts = append(opts, telemetry.WithProperties(l.props))
	}
	c, err := telemetry.Setup(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Shutdown(context.Background()) }()
	if ps := c.Control().Status().Problems; len(ps) > 0 {
		t.Fatalf("configuration problems: %v", ps)
	}
	if l.runtime != nil {
		if err := l.runtime(c.Control()); err != nil {
			t.Fatal(err)
		}
	}
	cfg, src := c.Control().Config()
	return value{cfg.Value(key), src[key].Source}
}

// TestPrecedence: environment < properties < runtime, and what a restart
// (a new Setup from the same environment and stored properties) gives back.
func TestPrecedence(t *testing.T) {
	envVars := env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TOPICS", "user",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "env-ep")
	props := map[string][]string{"telemetry_topics": {"kernel"}, "telemetry_tracing_endpoints": {"prop-ep"}}
	type want struct {
		topics, endpoints string
		topicsFrom        telemetry.Source
	}
	ctx := context.Background()
	start := func(p map[string][]string) *telemetry.Component {
		opts := []telemetry.Option{envVars}
		if p != nil {
			opts = append(opts, telemetry.WithProperties(p))
		}
		c, err := telemetry.Setup(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Shutdown(ctx) })
		return c
	}
	check := func(name string, c *telemetry.Component, w want) {
		t.Helper()
		cfg, src := c.Control().Config()
		if got := cfg.Value(telemetry.KeyTopics); got != w.topics {
			t.Errorf("%s: topics %q, want %q", name, got, w.topics)
		}
		if got := cfg.Value(telemetry.KeyTracingEndpoints); got != w.endpoints {
			t.Errorf("%s: endpoints %q, want %q", name, got, w.endpoints)
		}
		if src[telemetry.KeyTopics].Source != w.topicsFrom {
			t.Errorf("%s: topics from %v, want %v", name, src[telemetry.KeyTopics], w.topicsFrom)
		}
	}

	check("env only", start(nil), want{"user", "memory env-ep", telemetry.SourceEnv})
	withProps := start(props)
	check("env + properties", withProps, want{"kernel", "memory prop-ep", telemetry.SourceProperty})

	// Runtime over both; not written back unless asked.
	_ = withProps.Control().SetTopics(telemetry.Topics{User: true, Kernel: true})
	check("env + properties + runtime", withProps, want{"user,kernel", "memory prop-ep", telemetry.SourceRuntime})
	check("restart", start(props), want{"kernel", "memory prop-ep", telemetry.SourceProperty})

	// Persisting writes the changed setting's properties; the next start has it.
	cfg, _ := withProps.Control().Config()
	persisted := maps.Clone(props)
	maps.Copy(persisted, telemetry.PropertiesFor(cfg, telemetry.KeyTopics))
	check("restart after persist", start(persisted), want{"user,kernel", "memory prop-ep", telemetry.SourceProperty})
}
