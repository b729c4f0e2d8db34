package otlpretry

import (
	"context"
	"fmt"
	"time"
)

// Verdict is what a transport makes of a failed attempt.
type Verdict struct {
	// Retry is set when the failure may be retried.
	Retry bool
	// Throttle is the least wait the server asked for (HTTP Retry-After,
	// gRPC RetryInfo); zero when it asked for none.
	Throttle time.Duration
	// Answer is set when the failure is the server's answer (a status),
	// which the loop remembers: if the export's context ends during a
	// later attempt, the error reports that answer, which says more than
	// "context deadline exceeded".
	Answer bool
}

// Policy is one exporter's retry: its configuration and how its
// transport's failures are read. Its zero value makes single attempts.
type Policy struct {
	// Retry is the configuration; zero intervals mean their defaults.
	Retry RetryConfig
	// Classify reads a failed attempt's error. Nil is not allowed when
	// Retry.Enabled.
	Classify func(error) Verdict
	// Throttle names the server's delay in errors ("Retry-After",
	// "RetryInfo delay").
	Throttle string
	// Explain, when not nil, is what a retryable failure that is not an
	// answer reports after an earlier failure, last (which it should
	// wrap); the export's first failure is then remembered as an answer
	// whatever it is. Nil reports such a failure as it is. otlpgrpcenc
	// sets it: a DEADLINE_EXCEEDED after an UNAVAILABLE says less than
	// the UNAVAILABLE.
	Explain func(last, err error, attempt int) error
}

// Do calls attempt until it succeeds or fails for good, as the SDK's
// retry.Config.RequestFunc does (internal/retry/retry.go): after a
// retryable failure, stop if ctx is done or Retry.MaxElapsedTime has
// passed, else wait the greater of the backoff and the server's delay.
// Unlike the SDK, a wait that would pass ctx's deadline is not started:
// the export fails at once instead of holding the batch processor until
// the deadline. attempt should make its request with ctx.
//
// The error is attempt's last, as it is when no retry is made, else
// followed by why the loop gave up: "(gave up after attempt N: ...)"
// naming the context's cause, the retry limit or the deadline.
func (p *Policy) Do(ctx context.Context, attempt func() error) error {
	start := time.Now()
	backoff := NewBackoff(p.Retry)
	var last error // the last answer, if any
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || !p.Retry.Enabled {
			return err
		}
		v := p.Classify(err)
		if !v.Retry {
			return err
		}
		if ctx.Err() != nil {
			// Cut off in flight: the last answer says more than
			// "context deadline exceeded".
			if last == nil {
				last = err
			}
			return fmt.Errorf("%w (gave up after attempt %d: %w)", last, n, context.Cause(ctx))
		}
		switch {
		case v.Answer:
			last = err
		case p.Explain == nil:
		case last != nil:
			err = p.Explain(last, err, n)
		default:
			last = err
		}
		elapsed := time.Since(start)
		limit := p.Retry.MaxElapsedTime
		if limit != 0 && elapsed > limit {
			return fmt.Errorf("%w (gave up after attempt %d: retried for %v, the most allowed is %v)", err, n, elapsed.Round(time.Millisecond), limit)
		}
		wait := max(v.Throttle, backoff.Next())
		if limit != 0 && elapsed+v.Throttle > limit {
			return fmt.Errorf("%w (gave up after attempt %d: %s %v would pass the retry limit %v)", err, n, p.Throttle, v.Throttle, limit)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("%w (gave up after attempt %d: retrying in %v would pass the export deadline)", err, n, wait.Round(time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up after attempt %d: %w)", err, n, context.Cause(ctx))
		case <-t.C:
		}
	}
}
