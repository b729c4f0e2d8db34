package otlphttpenc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/internal/otlphttp"
)

// The backoff of the SDK's retry (internal/retry/retry.go, on
// cenkalti/backoff/v5's ExponentialBackOff defaults).
const (
	backoffMultiplier    = 1.5
	backoffRandomization = 0.5
)

// send posts payload, retrying as the SDK's retry.Config.RequestFunc does
// (internal/retry/retry.go): after a retryable failure, stop if ctx is
// done or MaxElapsedTime has passed, else wait the greater of the backoff
// and the server's Retry-After. Unlike the SDK, a wait that would pass
// the export's deadline is not started: the export fails at once instead
// of holding the batch processor until the deadline.
func (e *client) send(ctx context.Context, b *buffers, payload []byte, partial func(contentType string, data []byte) error) error {
	start := time.Now()
	interval := e.retry.InitialInterval
	var answer error // the last answer of the server, if any
	for attempt := 1; ; attempt++ {
		err := e.attempt(ctx, b, payload, partial)
		if err == nil || !e.retry.Enabled {
			return err
		}
		retry, throttle := classify(err)
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			// Cut off in flight: the server's last answer says more
			// than "context deadline exceeded".
			if answer == nil {
				answer = err
			}
			return fmt.Errorf("%w (gave up after attempt %d: %w)", answer, attempt, context.Cause(ctx))
		}
		if _, ok := errors.AsType[*otlphttp.StatusError](err); ok {
			answer = err
		}
		elapsed := time.Since(start)
		limit := e.retry.MaxElapsedTime
		if limit != 0 && elapsed > limit {
			return fmt.Errorf("%w (gave up after attempt %d: retried for %v, the most allowed is %v)", err, attempt, elapsed.Round(time.Millisecond), limit)
		}
		wait := max(throttle, randomize(interval))
		interval = nextInterval(interval, e.retry.MaxInterval)
		if limit != 0 && elapsed+throttle > limit {
			return fmt.Errorf("%w (gave up after attempt %d: Retry-After %v would pass the retry limit %v)", err, attempt, throttle, limit)
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

// classify reports whether err may be retried and the delay the server
// asked for: as the SDK's evaluate, a 429, 502, 503 or 504 answer (with
// its Retry-After) and a temporary transport error.
func classify(err error) (retry bool, throttle time.Duration) {
	var se *otlphttp.StatusError
	if errors.As(err, &se) {
		return se.Retryable(), se.RetryAfter
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Temporary(), 0
	}
	return false, 0
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

// attempt makes one request. Its error is a *otlphttp.StatusError for a
// non-2xx answer, a *url.Error (wrapped) when no answer came, a
// *PartialSuccessError when the server rejected spans, else nil.
func (e *client) attempt(ctx context.Context, b *buffers, payload []byte, partial func(contentType string, data []byte) error) error {
	req := (&http.Request{Method: http.MethodPost, URL: e.url, Header: e.header.Clone(),
		ContentLength: int64(len(payload)), Body: newBody(b, payload),
		// For 307 and 308 redirects, which net/http follows as the SDK's
		// client does.
		GetBody: func() (io.ReadCloser, error) { return newBody(b, payload), nil },
	}).WithContext(ctx)
	resp, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("otlphttpenc: %w", err) // *url.Error names the method and URL.
	}
	defer func() {
		drain(resp.Body, b.resp)
		_ = resp.Body.Close()
	}()
	data, _, readErr := readBounded(b.resp, resp.Body, maxResponse)
	b.resp = data
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// The server accepted the request: a body that cannot be read or
		// decoded does not change that (the SDK fails the export then).
		return partial(resp.Header.Get("Content-Type"), data)
	}
	se := &otlphttp.StatusError{URL: e.url.String(), StatusCode: resp.StatusCode, Status: resp.Status,
		Message: errorMessage(resp.Header.Get("Content-Type"), data, readErr)}
	if se.Retryable() {
		se.RetryAfter = otlphttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return se
}

// mediaType is the media type of a Content-Type header, without
// parameters.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// tracesPartialSuccess reads an ExportTraceServiceResponse in the
// encoding its Content-Type names (protobuf or JSON; any other is not
// read, as in the SDK) and returns its partial success as an error, if any.
func tracesPartialSuccess(contentType string, data []byte) error {
	resp := ptraceotlp.NewExportResponse()
	if !decodeAnswer(contentType, data, resp.UnmarshalProto, resp.UnmarshalJSON) {
		return nil
	}
	return partialSuccess(false, resp.PartialSuccess().RejectedSpans(), resp.PartialSuccess().ErrorMessage())
}

// logsPartialSuccess is tracesPartialSuccess for an
// ExportLogsServiceResponse.
func logsPartialSuccess(contentType string, data []byte) error {
	resp := plogotlp.NewExportResponse()
	if !decodeAnswer(contentType, data, resp.UnmarshalProto, resp.UnmarshalJSON) {
		return nil
	}
	return partialSuccess(true, resp.PartialSuccess().RejectedLogRecords(), resp.PartialSuccess().ErrorMessage())
}

// decodeAnswer decodes a non-empty answer with the decoder its Content-Type
// names and reports whether it did.
func decodeAnswer(contentType string, data []byte, proto, json func([]byte) error) bool {
	if len(data) == 0 {
		return false
	}
	switch mediaType(contentType) {
	case otlphttp.ContentTypeProto:
		return proto(data) == nil
	case otlphttp.ContentTypeJSON:
		return json(data) == nil
	}
	return false
}

func partialSuccess(logs bool, rejected int64, msg string) error {
	if rejected == 0 && msg == "" {
		return nil
	}
	return &PartialSuccessError{Logs: logs, RejectedSpans: rejected, Message: msg}
}

// errorMessage is what an error answer says: the message of the
// google.rpc.Status a protobuf answer holds (the OTLP/HTTP specification's
// error body), else the start of the body as text, at most
// maxErrorMessage bytes, "(empty)" when there is nothing (as the SDK).
func errorMessage(contentType string, data []byte, readErr error) string {
	var msg string
	if mediaType(contentType) == otlphttp.ContentTypeProto {
		var st statuspb.Status
		if proto.Unmarshal(data, &st) == nil {
			msg = st.GetMessage()
		}
	} else {
		msg = string(data[:min(len(data), maxErrorMessage)])
	}
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
	}
	msg = strings.TrimSpace(strings.ToValidUTF8(msg, string(utf8.RuneError)))
	switch {
	case readErr != nil:
		msg += fmt.Sprintf(" (reading the body: %v)", readErr)
	case msg == "":
		msg = "(empty)"
	}
	return msg
}
