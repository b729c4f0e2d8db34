package otlpgrpcenc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// send calls method with b, retrying as the SDK's retry.Config.RequestFunc
// does (internal/retry/retry.go) with the SDK gRPC exporters' retryable:
// after a retryable failure, stop if ctx is done or MaxElapsedTime has
// passed, else wait the greater of the backoff and the server's RetryInfo
// delay. Unlike the SDK, a wait that would pass the export's deadline is
// not started: the export fails at once instead of holding the batch
// processor until the deadline.
func (c *client) send(ctx context.Context, method, kind string, b *buffers) error {
	start := time.Now()
	backoff := otlphttpenc.NewBackoff(otlphttpenc.RetryConfig(c.retry))
	var last error // the last failure before ctx was done
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, method, kind, b)
		if err == nil {
			return nil
		}
		if _, ok := errors.AsType[*PartialSuccessError](err); ok {
			return err
		}
		err = fmt.Errorf("otlpgrpcenc: %s to %s: %w", method, c.conn.Target(), err)
		if !c.retry.Enabled {
			if ctx.Err() != nil {
				return fmt.Errorf("%w (%w)", err, context.Cause(ctx))
			}
			return err
		}
		retry, throttle := retryable(err)
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			// Cut off in flight: the failure before says more than
			// "context deadline exceeded".
			if last == nil {
				last = err
			}
			return fmt.Errorf("%w (gave up after attempt %d: %w)", last, attempt, context.Cause(ctx))
		}
		if c := status.Code(err); last != nil && (c == codes.DeadlineExceeded || c == codes.Canceled) {
			// Most likely cut short by the export's own deadline: the
			// failure before says more.
			err = fmt.Errorf("%w (attempt %d: %v)", last, attempt, status.Convert(err).Message())
		} else {
			last = err
		}
		elapsed := time.Since(start)
		limit := c.retry.MaxElapsedTime
		if limit != 0 && elapsed > limit {
			return fmt.Errorf("%w (gave up after attempt %d: retried for %v, the most allowed is %v)", err, attempt, elapsed.Round(time.Millisecond), limit)
		}
		wait := max(throttle, backoff.Next())
		if limit != 0 && elapsed+throttle > limit {
			return fmt.Errorf("%w (gave up after attempt %d: RetryInfo delay %v would pass the retry limit %v)", err, attempt, throttle, limit)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("%w (gave up after attempt %d: retrying in %v would pass the export deadline)", err, attempt, wait.Round(time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up after attempt %d: %w)", err, attempt, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// retryable is the SDK gRPC exporters' retryable (otlptracegrpc
// client.go): CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE and DATA_LOSS are retried, RESOURCE_EXHAUSTED only when the
// status carries RetryInfo (the server says it can recover); throttle is
// RetryInfo's delay, 0 without one.
func retryable(err error) (retry bool, throttle time.Duration) {
	st := status.Convert(err)
	hasInfo, delay := throttleDelay(st)
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		return true, delay
	case codes.ResourceExhausted:
		return hasInfo, delay
	}
	return false, 0
}

func throttleDelay(st *status.Status) (bool, time.Duration) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return true, max(ri.GetRetryDelay().AsDuration(), 0)
		}
	}
	return false, 0
}
