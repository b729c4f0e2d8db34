package otlpretry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// failure is a failed attempt as a test transport reads it.
type failure struct {
	msg string
	v   otlpretry.Verdict
}

func (f *failure) Error() string { return f.msg }

func classify(err error) otlpretry.Verdict {
	if f, ok := errors.AsType[*failure](err); ok {
		return f.v
	}
	return otlpretry.Verdict{}
}

var (
	unavailable = &failure{"unavailable", otlpretry.Verdict{Retry: true, Answer: true}}
	cutShort    = &failure{"cut short", otlpretry.Verdict{Retry: true}}
	invalid     = &failure{"invalid", otlpretry.Verdict{Answer: true}}
)

func throttled(d time.Duration) *failure {
	return &failure{"throttled", otlpretry.Verdict{Retry: true, Throttle: d, Answer: true}}
}

// script is an attempt func answering with errs in turn, then nil, and
// recording when each attempt was made from start.
type script struct {
	errs  []error
	start time.Time
	at    []time.Duration
}

func (s *script) attempt() error {
	s.at = append(s.at, time.Since(s.start))
	if n := len(s.at); n <= len(s.errs) {
		return s.errs[n-1]
	}
	return nil
}

func policy(r otlpretry.RetryConfig) *otlpretry.Policy {
	return &otlpretry.Policy{Retry: r, Classify: classify, Throttle: "Retry-After"}
}

// TestDoWaits checks, on synctest's clock, that the wait before each retry
// is the greater of the server's delay and the backoff (5 s ±50 %, then
// 7.5 s ±50 %), and that the export succeeds with the attempt that does.
func TestDoWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{errs: []error{throttled(20 * time.Second), unavailable}, start: time.Now()}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := policy(otlpretry.DefaultRetryConfig()).Do(ctx, s.attempt); err != nil {
			t.Fatal(err)
		}
		if len(s.at) != 3 {
			t.Fatalf("%d attempts, want 3", len(s.at))
		}
		if w := s.at[1] - s.at[0]; w != 20*time.Second {
			t.Errorf("waited %v after a 20s throttle, want 20s", w)
		}
		if w := s.at[2] - s.at[1]; w < 3750*time.Millisecond || w > 11250*time.Millisecond+time.Nanosecond {
			t.Errorf("waited %v for the second backoff, want 3.75s..11.25s", w)
		}
	})
}

// TestDoGivesUp checks each way the loop ends without success: on synctest's
// clock, how many attempts, how long, and what the error says and wraps.
func TestDoGivesUp(t *testing.T) {
	fast := otlpretry.RetryConfig{Enabled: true, InitialInterval: time.Second, MaxInterval: time.Second}
	limited := fast
	limited.MaxElapsedTime = 10 * time.Second
	tests := []struct {
		name     string
		retry    otlpretry.RetryConfig
		errs     []error
		timeout  time.Duration
		attempts int
		took     time.Duration // -1: not checked
		want     string
		wraps    error
	}{
		{"not retryable", fast, []error{invalid}, time.Minute, 1, 0, "invalid", invalid},
		{"retries off", otlpretry.RetryConfig{}, []error{unavailable}, time.Minute, 1, 0, "unavailable", unavailable},
		{"not retryable after retries", fast, []error{unavailable, invalid}, time.Minute, 2, -1, "invalid", invalid},
		{"throttle past the deadline", fast, []error{throttled(time.Hour)}, time.Minute, 1, 0,
			"throttled (gave up after attempt 1: retrying in 1h0m0s would pass the export deadline)", nil},
		{"throttle past the retry limit", limited, []error{throttled(11 * time.Second)}, time.Minute, 1, 0,
			"throttled (gave up after attempt 1: Retry-After 11s would pass the retry limit 10s)", nil},
		{"retry limit", limited, repeat(unavailable, 100), time.Minute, -1, -1,
			"the most allowed is 10s)", unavailable},
		{"backoff past the deadline", fast, repeat(unavailable, 100), 10 * time.Second, -1, -1,
			"would pass the export deadline)", unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &script{errs: tt.errs, start: time.Now()}
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				defer cancel()
				err := policy(tt.retry).Do(ctx, s.attempt)
				if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
					t.Fatalf("error %v, want one ending %q", err, tt.want)
				}
				if tt.wraps != nil && !errors.Is(err, tt.wraps) {
					t.Errorf("error %v does not wrap %v", err, tt.wraps)
				}
				if tt.attempts > 0 && len(s.at) != tt.attempts {
					t.Errorf("%d attempts, want %d", len(s.at), tt.attempts)
				}
				if tt.attempts < 0 && len(s.at) < 3 {
					t.Errorf("%d attempts, want several", len(s.at))
				}
				if took := time.Since(s.start); tt.took >= 0 && took != tt.took {
					t.Errorf("took %v, want %v", took, tt.took)
				}
				if took := time.Since(s.start); took > tt.timeout {
					t.Errorf("took %v, past the timeout %v", took, tt.timeout)
				}
			})
		})
	}
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// TestDoCutShort checks that when the export's context ends during an
// attempt, the error reports the last answer before it (not the attempt
// the context cut short) and the context's cause; and that it ends a wait
// at once.
func TestDoCutShort(t *testing.T) {
	cause := errors.New("exporter is shut down")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		n := 0
		err := policy(otlpretry.DefaultRetryConfig()).Do(ctx, func() error {
			n++
			if n == 1 {
				return unavailable
			}
			cancel(cause)
			return cutShort
		})
		if want := "unavailable (gave up after attempt 2: exporter is shut down)"; err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
		if !errors.Is(err, unavailable) || !errors.Is(err, cause) {
			t.Errorf("error %v, want it to wrap the answer and the cause", err)
		}

		// Cut short with no answer before: the failure itself.
		ctx, cancel = context.WithCancelCause(context.Background())
		cancel(cause)
		err = policy(otlpretry.DefaultRetryConfig()).Do(ctx, func() error { return cutShort })
		if want := "cut short (gave up after attempt 1: exporter is shut down)"; err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}

		// Ended during the wait: at once, with the cause.
		ctx, cancel = context.WithCancelCause(context.Background())
		start := time.Now()
		time.AfterFunc(time.Second, func() { cancel(cause) })
		err = policy(otlpretry.DefaultRetryConfig()).Do(ctx, func() error { return unavailable })
		if !errors.Is(err, cause) || time.Since(start) != time.Second {
			t.Errorf("after %v: %v, want the cause after 1s", time.Since(start), err)
		}
	})
}

// TestDoExplain checks Policy.Explain: a retryable failure that is not an
// answer, after an earlier failure, reports what Explain makes of both;
// the first failure is remembered whatever it is; without Explain such a
// failure reports itself.
func TestDoExplain(t *testing.T) {
	explain := func(last, err error, attempt int) error {
		return errors.Join(last, errors.New("explained "+err.Error()))
	}
	limited := otlpretry.RetryConfig{Enabled: true, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsedTime: 400 * time.Millisecond}
	for _, tt := range []struct {
		name    string
		explain func(last, err error, attempt int) error
		errs    []error
		want    string
	}{
		{"answer then cut short", explain, []error{unavailable, cutShort, cutShort}, "unavailable\nexplained cut short"},
		{"cut short first", explain, []error{cutShort, cutShort, cutShort}, "cut short\nexplained cut short"},
		{"no Explain", nil, []error{unavailable, cutShort, cutShort}, "cut short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &script{errs: tt.errs, start: time.Now()}
				p := policy(limited)
				p.Explain = tt.explain
				err := p.Do(context.Background(), s.attempt)
				// Attempt 1 at 0, attempt 2 after at least 500ms, past the
				// limit: attempt 2's failure is what the error reports.
				if err == nil || !strings.HasPrefix(err.Error(), tt.want+" (gave up after attempt 2:") {
					t.Errorf("error %q, want it to start %q", err, tt.want)
				}
			})
		})
	}
}
