package otlphttpenc_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// roundTripper answers requests with a function, in memory.
type roundTripper func(*http.Request) *http.Response

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return f(r), nil
}

func answer(status int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Body: http.NoBody}
}

// TestRetryAfterHonoured, on synctest's clock: the wait before each retry
// is the greater of Retry-After and the SDK's backoff (5 s ±50 %, ×1.5).
func TestRetryAfterHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Duration
		start := time.Now()
		client := &http.Client{Transport: roundTripper(func(*http.Request) *http.Response {
			at = append(at, time.Since(start))
			switch len(at) {
			case 1:
				return answer(http.StatusServiceUnavailable, "20") // more than the backoff
			case 2:
				return answer(http.StatusTooManyRequests, "") // the backoff alone
			}
			return answer(http.StatusOK, "")
		})}
		cfg := otlphttpenc.DefaultConfig("http://collector.invalid/v1/traces")
		cfg.HTTPClient, cfg.Timeout = client, time.Minute
		if err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1)); err != nil {
			t.Fatal(err)
		}
		if len(at) != 3 {
			t.Fatalf("%d attempts, want 3", len(at))
		}
		if w := at[1] - at[0]; w != 20*time.Second {
			t.Errorf("waited %v after Retry-After: 20, want 20s", w)
		}
		// The second interval is 7.5 s randomised by ±50 %.
		if w := at[2] - at[1]; w < 3750*time.Millisecond || w > 11250*time.Millisecond+time.Nanosecond {
			t.Errorf("waited %v after a 429 without Retry-After, want 3.75s..11.25s", w)
		}
	})
}

// TestRetryAfterPastDeadline: a Retry-After beyond the export deadline
// fails the export at once instead of waiting for the deadline.
func TestRetryAfterPastDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		cfg := otlphttpenc.DefaultConfig("http://collector.invalid/v1/traces")
		cfg.HTTPClient = &http.Client{Transport: roundTripper(func(*http.Request) *http.Response {
			n++
			return answer(http.StatusServiceUnavailable, "60")
		})}
		start := time.Now()
		err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
		if err == nil || !strings.Contains(err.Error(), "would pass the export deadline") || n != 1 {
			t.Errorf("after %d attempts: %v, want one attempt and a deadline error", n, err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("took %v, want no wait", d)
		}
	})
}

// TestTimeout: a server that does not answer fails the export at the
// timeout.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := otlphttptest.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	cfg := fastRetry(srv.URL)
	cfg.Timeout = 100 * time.Millisecond
	start := time.Now()
	err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, timeout 100ms", d)
	}
}

// TestShutdown: Shutdown ends an export in flight, is idempotent, and
// later exports fail with ErrShutdown.
func TestShutdown(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := otlphttptest.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	exp := newExporter(t, fastRetry(srv.URL))
	done := make(chan error)
	go func() { done <- exp.ExportSpans(context.Background(), otlpenctest.Spans(1)) }()
	<-arrived
	for range 2 {
		if err := exp.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("export in flight: %v, want it cancelled", err)
	}
	if err := exp.ExportSpans(context.Background(), otlpenctest.Spans(1)); !errors.Is(err, otlphttpenc.ErrShutdown) {
		t.Errorf("export after Shutdown: %v, want ErrShutdown", err)
	}
	if err := exp.ForceFlush(context.Background()); err != nil {
		t.Errorf("ForceFlush: %v", err)
	}
}

// TestTLS: an https collector with a test CA, trusted through a
// tls.Config, and refused without it. (Reading the CA file of
// OTEL_EXPORTER_OTLP_*CERTIFICATE is the telemetry package's,
// TestOTLPTransportFromEnv.)
func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	for _, tc := range []struct {
		name    string
		set     func(*otlphttpenc.Config)
		wantErr string
	}{
		{"tls.Config", func(c *otlphttpenc.Config) { c.TLS = &tls.Config{RootCAs: roots} }, ""},
		{"untrusted", func(*otlphttpenc.Config) {}, "certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := otlphttpenc.DefaultConfig(srv.URL + "/v1/traces")
			cfg.Retry.Enabled = false
			tc.set(&cfg)
			err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestConfigErrors: settings that cannot be used are refused by name.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*otlphttpenc.Config)
		want string
	}{
		{"no URL", func(c *otlphttpenc.Config) { c.URL = "" }, "want http:// or https://"},
		{"grpc scheme", func(c *otlphttpenc.Config) { c.URL = "grpc://h:4317" }, "want http:// or https://"},
		{"TLS on http", func(c *otlphttpenc.Config) { c.TLS = &tls.Config{} }, "TLS settings need an https URL"},
		{"negative timeout", func(c *otlphttpenc.Config) { c.Timeout = -time.Second }, "timeout -1s"},
		{"negative interval", func(c *otlphttpenc.Config) { c.Retry.MaxInterval = -1 }, "retry intervals"},
		{"client and TLS", func(c *otlphttpenc.Config) {
			c.URL, c.HTTPClient, c.TLS = "https://h/v1/traces", http.DefaultClient, &tls.Config{}
		}, "configure its transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := otlphttpenc.DefaultConfig("http://127.0.0.1:4318/v1/traces")
			tc.set(&cfg)
			_, err := otlphttpenc.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentExports: exports from many goroutines share the pooled
// buffers and each request carries its own batch intact.
func TestConcurrentExports(t *testing.T) {
	srv := otlphttptest.NewServer(t, nil)
	exp := newExporter(t, otlphttpenc.DefaultConfig(srv.URL))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			spans := otlpenctest.Spans(1 + g*7)
			for range 5 {
				if err := exp.ExportSpans(context.Background(), spans); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, r := range srv.Received() {
		counts[decode(t, r.Body).SpanCount()]++
	}
	for g := range 8 {
		if counts[1+g*7] != 5 {
			t.Errorf("batches of %d spans received: %d, want 5", 1+g*7, counts[1+g*7])
		}
	}
}
