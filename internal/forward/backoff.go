package forward

import (
	"math/rand/v2"
	"time"
)

// backoff yields the waits between retries: from the initial wait,
// doubling up to the maximum, each varied by ±20% so that forwarders that
// lost one upstream together do not come back together.
type backoff struct {
	cur, max time.Duration
}

func newBackoff(cfg Config) *backoff {
	return &backoff{cur: cfg.BackoffInitial, max: cfg.BackoffMax}
}

// next returns the next wait.
func (b *backoff) next() time.Duration {
	d := b.cur
	b.cur = min(2*b.cur, b.max)
	return jitter(d)
}

// jitter returns d varied by up to ±20%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
