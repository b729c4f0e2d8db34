package otlpretry_test

import (
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// TestRetryConfigValidate checks that negative intervals are refused,
// naming all three, and that the defaults are the SDK's.
func TestRetryConfigValidate(t *testing.T) {
	if err := otlpretry.DefaultRetryConfig().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if err := (otlpretry.RetryConfig{}).Validate(); err != nil {
		t.Errorf("zero: %v", err)
	}
	r := otlpretry.DefaultRetryConfig()
	r.MaxInterval = -1
	if err := r.Validate(); err == nil || err.Error() != "retry intervals 5s, -1ns, 1m0s: want >= 0" {
		t.Errorf("negative interval: %v", err)
	}
	want := otlpretry.RetryConfig{Enabled: true, InitialInterval: 5e9, MaxInterval: 30e9, MaxElapsedTime: 60e9}
	if got := otlpretry.DefaultRetryConfig(); got != want {
		t.Errorf("defaults %+v, the SDK's are %+v", got, want)
	}
}
