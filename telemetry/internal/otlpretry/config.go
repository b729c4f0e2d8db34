package otlpretry

import (
	"fmt"
	"time"
)

// The defaults of the SDK's OTLP exporters (v1.47.0): DefaultTimeout in
// internal/otlpconfig/options.go and retry.DefaultConfig in
// internal/retry/retry.go, the same for HTTP and gRPC, spans and logs.
const (
	// DefaultTimeout bounds one export, retries included.
	DefaultTimeout = 10 * time.Second
	// DefaultInitialInterval is the first interval between attempts.
	DefaultInitialInterval = 5 * time.Second
	// DefaultMaxInterval caps the interval between attempts.
	DefaultMaxInterval = 30 * time.Second
	// DefaultMaxElapsedTime is how long attempts may go on.
	DefaultMaxElapsedTime = time.Minute
)

// RetryConfig is the SDK exporters' RetryConfig (it has the fields of
// otlptracehttp.RetryConfig, otlptracegrpc.RetryConfig and the log
// exporters', and converts from them): jittered exponential backoff (×1.5
// a wait, each drawn from [0.5, 1.5] times the interval), with the
// server's delay (HTTP Retry-After, gRPC RetryInfo) as a lower bound of
// the wait. The zero RetryConfig makes every export a single attempt.
type RetryConfig struct {
	// Enabled retries what the transport's exporter retries (HTTP: 429,
	// 502, 503 and 504 answers and temporary transport errors; gRPC:
	// CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE,
	// DATA_LOSS, and RESOURCE_EXHAUSTED with RetryInfo). False makes every
	// export a single attempt.
	Enabled bool
	// InitialInterval is the first interval between attempts. Zero means
	// DefaultInitialInterval (5 s).
	InitialInterval time.Duration
	// MaxInterval caps the interval before randomisation. Zero means
	// DefaultMaxInterval (30 s).
	MaxInterval time.Duration
	// MaxElapsedTime is how long attempts may go on, within the export's
	// timeout. Zero means no bound other than the timeout (as in the SDK).
	MaxElapsedTime time.Duration
}

// DefaultRetryConfig is the SDK's retry.DefaultConfig: enabled, from 5 s
// up to 30 s, for at most a minute.
func DefaultRetryConfig() RetryConfig {
	return RetryConfig{Enabled: true, InitialInterval: DefaultInitialInterval,
		MaxInterval: DefaultMaxInterval, MaxElapsedTime: DefaultMaxElapsedTime}
}

// Validate reports negative intervals, naming all three.
func (r RetryConfig) Validate() error {
	if r.InitialInterval < 0 || r.MaxInterval < 0 || r.MaxElapsedTime < 0 {
		return fmt.Errorf("retry intervals %v, %v, %v: want >= 0", r.InitialInterval, r.MaxInterval, r.MaxElapsedTime)
	}
	return nil
}
