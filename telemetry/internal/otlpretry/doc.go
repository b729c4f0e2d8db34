// Package otlpretry is what sightline's OTLP exporters (otlphttpenc over
// HTTP, otlpgrpcenc over gRPC) share of the SDK exporters' behaviour
// around a request: the retry configuration and its defaults
// ([RetryConfig]), the jittered exponential backoff ([Backoff]), the retry
// loop ([Policy.Do]) and the partial success answer
// ([PartialSuccessError]). Each transport says which of its failures are
// retried and how long its server asked to wait ([Verdict]); the loop is
// the same for both.
//
// # What was read
//
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp and
// otlptracegrpc v1.47.0 (otlploghttp and otlploggrpc v0.23.0 hold copies
// of the same files): internal/retry/retry.go (Config, DefaultConfig,
// RequestFunc: the loop, the greater of the throttle and the backoff, the
// MaxElapsedTime check), internal/otlpconfig/options.go (DefaultTimeout
// 10 s) and internal/partialsuccess.go (the partial success error's
// text); and github.com/cenkalti/backoff/v5 v5.0.3 exponential.go
// (ExponentialBackOff's defaults as the SDK sets them,
// getRandomValueFromInterval, incrementCurrentInterval).
//
// # Deliberate differences
//
// The loop runs within the export's deadline (the exporters' Timeout
// bounds the whole export, retries included) and does not start a wait
// that would pass it: the export fails at once instead of holding the
// batch processor until the deadline, as the SDK's would. When the
// export's context ends during an attempt, the error reports the server's
// last answer before it, which says more than "context deadline
// exceeded".
package otlpretry
