package otlpjson_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
)

func TestHTTPExporterRetries(t *testing.T) {
	failThenOK := func(failures, status int, retryAfter string) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, _ *http.Request) {
			if n <= failures {
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				w.WriteHeader(status)
				return
			}
			w.WriteHeader(http.StatusOK)
		}
	}
	tests := []struct {
		name      string
		respond   func(int, http.ResponseWriter, *http.Request)
		opts      []otlphttp.Option
		wantReqs  int
		wantErr   string // "" for success
		wantErrIs error
	}{
		{name: "503 then 200", respond: failThenOK(1, 503, "0"), opts: []otlphttp.Option{fastRetries}, wantReqs: 2},
		{name: "429 twice then 200", respond: failThenOK(2, 429, ""), opts: []otlphttp.Option{fastRetries}, wantReqs: 3},
		{name: "502 then 200", respond: failThenOK(1, 502, ""), opts: []otlphttp.Option{fastRetries}, wantReqs: 2},
		{name: "504 then 200", respond: failThenOK(1, 504, ""), opts: []otlphttp.Option{fastRetries}, wantReqs: 2},
		{name: "503 then 200, default backoff", respond: failThenOK(1, 503, "0"), wantReqs: 2},
		{
			name: "Retry-After beyond the timeout gives up at once", respond: failThenOK(100, 503, "60"),
			opts:     []otlphttp.Option{fastRetries, otlphttp.WithTimeout(5 * time.Second)},
			wantReqs: 1, wantErr: "503 Service Unavailable",
		},
		{
			name: "always 503 until the timeout", respond: failThenOK(1<<30, 503, ""),
			opts:     []otlphttp.Option{fastRetries, otlphttp.WithTimeout(150 * time.Millisecond)},
			wantReqs: -1, wantErr: "otlphttp: ",
		},
		{
			name: "WithoutRetry makes one attempt", respond: failThenOK(1, 503, "0"),
			opts:     []otlphttp.Option{fastRetries, otlphttp.WithoutRetry()},
			wantReqs: 1, wantErr: "503 Service Unavailable",
		},
		{name: "500 is not retried", respond: failThenOK(1, 500, ""), opts: []otlphttp.Option{fastRetries}, wantReqs: 1, wantErr: "500 Internal Server Error"},
	}
	for _, sig := range httpSignals() {
		for _, tt := range tests {
			t.Run(sig.name+"/"+tt.name, func(t *testing.T) {
				srv := otlphttptest.NewServer(t, tt.respond)
				e := sig.new(t, srv.URL+sig.path, tt.opts...)
				start := time.Now()
				err := e.export(context.Background(), 1)
				if elapsed := time.Since(start); elapsed > 4*time.Second {
					t.Errorf("export took %v", elapsed)
				}
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("export: %v", err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("export error = %v, want one containing %q", err, tt.wantErr)
				}
				got := len(srv.Received())
				if tt.wantReqs >= 0 && got != tt.wantReqs {
					t.Errorf("%d requests, want %d", got, tt.wantReqs)
				}
				if tt.wantReqs < 0 && got < 2 {
					t.Errorf("%d requests, want retries", got)
				}
			})
		}
	}
}

func TestHTTPExporterTimeoutAndCancel(t *testing.T) {
	for _, sig := range httpSignals() {
		t.Run(sig.name+"/timeout", func(t *testing.T) {
			unblock := make(chan struct{})
			srv := otlphttptest.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
				select { // never answers
				case <-r.Context().Done():
				case <-unblock:
				}
			})
			t.Cleanup(func() { close(unblock) }) // runs before srv.Close
			e := sig.new(t, srv.URL+sig.path, otlphttp.WithTimeout(100*time.Millisecond))
			start := time.Now()
			err := e.export(context.Background(), 1)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("export error = %v, want a deadline error naming the URL", err)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("export took %v with a 100ms timeout", elapsed)
			}
		})
		t.Run(sig.name+"/cancel", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			unblock := make(chan struct{})
			srv := otlphttptest.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
				cancel() // the caller gives up while the request is in flight
				select {
				case <-r.Context().Done():
				case <-unblock:
				}
			})
			t.Cleanup(func() { close(unblock) })
			e := sig.new(t, srv.URL+sig.path)
			if err := e.export(ctx, 1); !errors.Is(err, context.Canceled) {
				t.Errorf("export error = %v, want context.Canceled", err)
			}
		})
		t.Run(sig.name+"/cancel during backoff", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			// The caller gives up once the 503 has arrived.
			client := &http.Client{Transport: cancelAfterResponse{&http.Transport{}, cancel}}
			e := sig.new(t, srv.URL+sig.path, otlphttp.WithHTTPClient(client))
			err := e.export(ctx, 1)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "503") {
				t.Errorf("export error = %v, want context.Canceled after a 503", err)
			}
		})
	}
}

// cancelAfterResponse calls cancel once a response has arrived.
type cancelAfterResponse struct {
	rt     http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfterResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	c.cancel()
	return resp, err
}
