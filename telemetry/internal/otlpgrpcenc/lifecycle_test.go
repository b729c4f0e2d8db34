package otlpgrpcenc_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// TestPartialSuccess checks that a partial success answer makes an export
// of spans or logs return a *PartialSuccessError with the SDK's text, and
// is not retried.
func TestPartialSuccess(t *testing.T) {
	tests := []struct {
		rejected            int64
		msg                 string
		wantSpans, wantLogs string
	}{
		{3, "too old", "OTLP partial success: too old (3 spans rejected)", "OTLP partial success: too old (3 logs rejected)"},
		{0, "slow down", "OTLP partial success: slow down (0 spans rejected)", "OTLP partial success: slow down (0 logs rejected)"},
		{2, "", "OTLP partial success: empty message (2 spans rejected)", "OTLP partial success: empty message (2 logs rejected)"},
	}
	for _, tt := range tests {
		col := newCollector(t, nil, func(context.Context, int) (int64, string, error) { return tt.rejected, tt.msg, nil })
		errSpans := newExporter(t, fastRetry(col.url())).ExportSpans(context.Background(), otlpenctest.Spans(4))
		errLogs := newLogExporter(t, fastRetry(col.url())).Export(context.Background(), otlpenctest.BridgeRecords(4))
		for _, c := range []struct {
			err  error
			want string
			kind string
		}{{errSpans, tt.wantSpans, "spans"}, {errLogs, tt.wantLogs, "logs"}} {
			pe, ok := errors.AsType[*otlpretry.PartialSuccessError](c.err)
			if !ok || c.err.Error() != c.want {
				t.Errorf("%s: error %v, want a *PartialSuccessError %q", c.kind, c.err, c.want)
				continue
			}
			if pe.Rejected != tt.rejected || pe.Message != tt.msg || pe.Kind != c.kind {
				t.Errorf("%s: %+v, want %d rejected, message %q", c.kind, *pe, tt.rejected, tt.msg)
			}
		}
		if n := len(col.received()); n != 2 {
			t.Errorf("%d calls, want one a signal (a partial success is not retried)", n)
		}
	}
}

// TestShutdown checks that Shutdown ends an export in flight with
// ErrShutdown as its cause, that later exports fail with ErrShutdown (and
// sdklog.ErrExporterShutdown for logs) without a call, and that a second
// Shutdown does nothing.
func TestShutdown(t *testing.T) {
	held := make(chan struct{})
	var once sync.Once
	col := newCollector(t, nil, func(ctx context.Context, _ int) (int64, string, error) {
		once.Do(func() { close(held) })
		<-ctx.Done()
		return 0, "", ctx.Err()
	})
	cfg := fastRetry(col.url())
	cfg.Timeout = time.Minute
	exp, err := otlpgrpcenc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- exp.ExportSpans(context.Background(), otlpenctest.Spans(2)) }()
	<-held
	start := time.Now()
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, otlpgrpcenc.ErrShutdown) {
			t.Errorf("export in flight ended with %v, want ErrShutdown as its cause", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("export in flight still running 10 s after Shutdown")
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("export in flight ended %v after Shutdown, want at once", elapsed)
	}
	if err := exp.ExportSpans(context.Background(), otlpenctest.Spans(1)); !errors.Is(err, otlpgrpcenc.ErrShutdown) {
		t.Errorf("export after Shutdown: %v, want ErrShutdown", err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v, want nil", err)
	}
	if n := len(col.received()); n != 1 {
		t.Errorf("%d calls, want only the one in flight", n)
	}

	logs := newLogExporter(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := logs.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("log Shutdown with a done context: %v, want its error, as the SDK", err)
	}
	err = logs.Export(context.Background(), otlpenctest.BridgeRecords(1))
	if !errors.Is(err, otlpgrpcenc.ErrShutdown) || !errors.Is(err, sdklog.ErrExporterShutdown) {
		t.Errorf("log export after Shutdown: %v, want ErrShutdown and sdklog.ErrExporterShutdown", err)
	}
	if n := len(col.received()); n != 1 {
		t.Errorf("%d calls, want none after Shutdown", n)
	}
}

// TestConcurrentExports checks that exports from several goroutines all
// arrive whole while buffers are reused.
func TestConcurrentExports(t *testing.T) {
	col := newCollector(t, nil, nil)
	exp := newExporter(t, fastRetry(col.url()))
	spans := otlpenctest.Spans(60)
	want := tracesJSON(t, encodeSpansForTest(t, spans))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if err := exp.ExportSpans(context.Background(), spans); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	poll.Until(t, 5*time.Second, "20 calls", func() bool { return len(col.received()) == 20 })
	for i, c := range col.received() {
		if tracesJSON(t, c.traces) != want {
			t.Fatalf("call %d carried another request than the batch", i)
		}
	}
}

// TestValidate checks that a setting that cannot be used is refused,
// naming it and its value.
func TestValidate(t *testing.T) {
	ok := otlpgrpcenc.DefaultConfig("http://127.0.0.1:4317")
	tests := []struct {
		name   string
		change func(*otlpgrpcenc.Config)
		want   string
	}{
		{"no URL", func(c *otlpgrpcenc.Config) { c.URL = "" }, `URL "": want http://`},
		{"host:port", func(c *otlpgrpcenc.Config) { c.URL = "localhost:4317" }, `URL "localhost:4317"`},
		{"other scheme", func(c *otlpgrpcenc.Config) { c.URL = "ftp://h:1" }, `URL "ftp://h:1": want`},
		{"no host", func(c *otlpgrpcenc.Config) { c.URL = "grpc://" }, `URL "grpc://": no host`},
		{"TLS on plaintext", func(c *otlpgrpcenc.Config) { c.TLS = &tls.Config{} }, "TLS settings need an https or grpcs URL"},
		{"negative timeout", func(c *otlpgrpcenc.Config) { c.Timeout = -time.Second }, "timeout -1s"},
		{"negative interval", func(c *otlpgrpcenc.Config) { c.Retry.MaxInterval = -1 }, "retry intervals 5s, -1ns, 1m0s"},
	}
	for _, tt := range tests {
		cfg := ok
		tt.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
		if _, err := otlpgrpcenc.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
	for _, u := range []string{"http://127.0.0.1:4317", "grpc://127.0.0.1:4317", "https://collector:4317", "grpcs://collector:4317/ignored"} {
		cfg := ok
		cfg.URL = u
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
