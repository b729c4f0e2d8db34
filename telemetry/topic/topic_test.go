package topic_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/topic"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name  string
		attrs attribute.Set
		want  topic.Topic
	}{
		{"none", attribute.NewSet(), topic.User},
		{"kernel", attribute.NewSet(topic.Kernel.Attribute()), topic.Kernel},
		{"user", attribute.NewSet(topic.User.Attribute()), topic.User},
		{"unknown value", attribute.NewSet(topic.Key.String("bogus")), topic.User},
		{"from option", kernelConfig(), topic.Kernel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topic.Of(tt.attrs); got != tt.want {
				t.Errorf("Of(%v) = %q, want %q", tt.attrs, got, tt.want)
			}
		})
	}
}

func kernelConfig() attribute.Set {
	cfg := trace.NewTracerConfig(topic.Kernel.TracerOption())
	return cfg.InstrumentationAttributes()
}
