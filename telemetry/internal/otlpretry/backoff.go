package otlpretry

import (
	"math/rand/v2"
	"time"
)

// The backoff of the SDK's retry (internal/retry/retry.go, on
// cenkalti/backoff/v5's ExponentialBackOff defaults).
const (
	backoffMultiplier    = 1.5
	backoffRandomization = 0.5
)

// Backoff is the sequence of waits between the attempts of one export in
// the SDK's retry: each drawn from [0.5, 1.5] times an interval that
// starts at InitialInterval and grows ×1.5 up to MaxInterval. The zero
// Backoff waits about nothing; use [NewBackoff].
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

// randomize is cenkalti/backoff's getRandomValueFromInterval with the
// SDK's factor: a duration in [d/2, 3d/2].
func randomize(d time.Duration) time.Duration {
	delta := backoffRandomization * float64(d)
	lo, hi := float64(d)-delta, float64(d)+delta
	return time.Duration(lo + rand.Float64()*(hi-lo+1))
}

// nextInterval is cenkalti/backoff's incrementCurrentInterval.
func nextInterval(d, maxInterval time.Duration) time.Duration {
	if float64(d) >= float64(maxInterval)/backoffMultiplier {
		return maxInterval
	}
	return time.Duration(float64(d) * backoffMultiplier)
}
