package otlphttp_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
)

// TestStatusError gives callers that retry on their own the answer's
// status and Retry-After.
func TestStatusError(t *testing.T) {
	for _, tc := range []struct {
		status, retryAfter string
		code               int
		retryable          bool
		wait               time.Duration
	}{
		{"429", "7", http.StatusTooManyRequests, true, 7 * time.Second},
		{"503", "", http.StatusServiceUnavailable, true, 0},
		{"400", "7", http.StatusBadRequest, false, 0},
		{"500", "", http.StatusInternalServerError, false, 0},
	} {
		srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			if tc.retryAfter != "" {
				w.Header().Set("Retry-After", tc.retryAfter)
			}
			http.Error(w, "no", tc.code)
		})
		s := otlphttp.NewSender(srv.URL, otlphttp.ContentTypeProto, otlphttp.WithoutRetry())
		err := s.Send(context.Background(), []byte{}, func([]byte) error { return nil })
		s.Close()
		var se *otlphttp.StatusError
		if !errors.As(err, &se) || se.StatusCode != tc.code || se.Retryable() != tc.retryable || se.RetryAfter != tc.wait || se.Message != "no" {
			t.Errorf("%s: %v (%+v)", tc.status, err, se)
		}
	}
}
