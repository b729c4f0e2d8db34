package otlpgrpcenc

import (
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// newPolicy is the retry of cfg with the SDK gRPC exporters' retryable.
func newPolicy(cfg otlpretry.RetryConfig) otlpretry.Policy {
	return otlpretry.Policy{Retry: cfg, Classify: classify, Throttle: "RetryInfo delay", Explain: explain}
}

// classify is the SDK gRPC exporters' retryable (otlptracegrpc
// client.go): CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE and DATA_LOSS are retried, RESOURCE_EXHAUSTED only when the
// status carries RetryInfo (the server says it can recover); the throttle
// is RetryInfo's delay, 0 without one. A CANCELLED or DEADLINE_EXCEEDED
// is not the collector's answer: most likely the export's own deadline
// cut the call short.
func classify(err error) otlpretry.Verdict {
	st := status.Convert(err)
	hasInfo, delay := throttleDelay(st)
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded:
		return otlpretry.Verdict{Retry: true, Throttle: delay}
	case codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		return otlpretry.Verdict{Retry: true, Throttle: delay, Answer: true}
	case codes.ResourceExhausted:
		return otlpretry.Verdict{Retry: hasInfo, Throttle: delay, Answer: true}
	}
	return otlpretry.Verdict{}
}

// explain is what a call cut short reports after an earlier failure,
// which says more.
func explain(last, err error, attempt int) error {
	return fmt.Errorf("%w (attempt %d: %v)", last, attempt, status.Convert(err).Message())
}

func throttleDelay(st *status.Status) (bool, time.Duration) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return true, max(ri.GetRetryDelay().AsDuration(), 0)
		}
	}
	return false, 0
}
