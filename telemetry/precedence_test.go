package telemetry_test

import (
	"context"
	"maps"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

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
