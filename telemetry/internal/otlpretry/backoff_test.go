package otlpretry_test

import (
	"testing"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// TestBackoff checks the SDK's waits: each in [0.5, 1.5] times an interval
// growing ×1.5 from InitialInterval up to MaxInterval, the defaults for
// zero intervals.
func TestBackoff(t *testing.T) {
	b := otlpretry.NewBackoff(otlpretry.RetryConfig{InitialInterval: 100 * time.Millisecond, MaxInterval: 300 * time.Millisecond})
	for i, interval := range []time.Duration{100, 150, 225, 300, 300} {
		interval *= time.Millisecond
		if w := b.Next(); w < interval/2 || w > interval*3/2+1 {
			t.Errorf("wait %d: %v, want within [%v, %v]", i+1, w, interval/2, interval*3/2)
		}
	}
	d := otlpretry.NewBackoff(otlpretry.RetryConfig{})
	if w := d.Next(); w < otlpretry.DefaultInitialInterval/2 || w > otlpretry.DefaultInitialInterval*3/2+1 {
		t.Errorf("first default wait %v, want about %v", w, otlpretry.DefaultInitialInterval)
	}
}
