package otlphttpenc

import "time"

// Backoff is the sequence of waits between the attempts of one export in
// the SDK's retry (internal/retry/retry.go on cenkalti/backoff/v5): each
// drawn from [0.5, 1.5] times an interval that starts at InitialInterval
// and grows ×1.5 up to MaxInterval. It is shared with otlpgrpcenc, whose
// retry is the SDK gRPC exporters' same loop. The zero Backoff waits
// about nothing; use [NewBackoff].
type Backoff struct {
	interval, max time.Duration
}

// NewBackoff starts the waits of r, whose zero intervals mean their
// defaults (DefaultInitialInterval, DefaultMaxInterval).
func NewBackoff(r RetryConfig) Backoff {
	b := Backoff{interval: r.InitialInterval, max: r.MaxInterval}
	if b.interval == 0 {
		b.interval = DefaultInitialInterval
	}
	if b.max == 0 {
		b.max = DefaultMaxInterval
	}
	return b
}

// Next is the wait before the next attempt.
func (b *Backoff) Next() time.Duration {
	w := randomize(b.interval)
	b.interval = nextInterval(b.interval, b.max)
	return w
}
