package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// jsonLinesType is the exporter's type in a configuration.
var jsonLinesType = component.MustNewType("jsonlines")

// jsonLinesConfig is the jsonlines exporter's configuration.
type jsonLinesConfig struct {
	// Path is the file every request is appended to, one line of OTLP/JSON
	// each; created 0600 when missing. Required.
	Path string `mapstructure:"path"`
	// FailFirst is the number of requests, counted from the exporter's
	// start, answered with a retryable error instead of written. 0 (the
	// default) refuses none.
	FailFirst int `mapstructure:"fail_first"`
}

// Validate is called by the collector on the configuration it loaded.
func (c *jsonLinesConfig) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: the file to append to is required"))
	}
	if c.FailFirst < 0 {
		errs = append(errs, fmt.Errorf("fail_first %d: must be 0 or more", c.FailFirst))
	}
	return errors.Join(errs...)
}

func newJSONLinesFactory() exporter.Factory {
	return exporter.NewFactory(jsonLinesType,
		func() component.Config { return &jsonLinesConfig{} },
		exporter.WithTraces(createJSONLinesTraces, component.StabilityLevelDevelopment),
		exporter.WithLogs(createJSONLinesLogs, component.StabilityLevelDevelopment),
	)
}

func createJSONLinesTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	w := &lineWriter{cfg: *cfg.(*jsonLinesConfig)}
	marshal := ptrace.JSONMarshaler{}
	return exporterhelper.NewTraces(ctx, set, cfg,
		func(_ context.Context, td ptrace.Traces) error {
			return w.write(func() ([]byte, error) { return marshal.MarshalTraces(td) })
		},
		w.options()...)
}

func createJSONLinesLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	w := &lineWriter{cfg: *cfg.(*jsonLinesConfig)}
	marshal := plog.JSONMarshaler{}
	return exporterhelper.NewLogs(ctx, set, cfg,
		func(_ context.Context, ld plog.Logs) error {
			return w.write(func() ([]byte, error) { return marshal.MarshalLogs(ld) })
		},
		w.options()...)
}

// lineWriter appends one line per request to the configured file.
type lineWriter struct {
	cfg jsonLinesConfig

	mu       sync.Mutex
	file     *os.File
	requests int // requests given to write, refused ones included
}

// options start and stop w with its exporter. Retries and the sending
// queue stay off: an error goes back through the receiver to the sender,
// and a request answered with success is in the file.
func (w *lineWriter) options() []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(w.start),
		exporterhelper.WithShutdown(w.shutdown),
		exporterhelper.WithRetry(configretry.BackOffConfig{Enabled: false}),
	}
}

func (w *lineWriter) start(context.Context, component.Host) error {
	f, err := os.OpenFile(w.cfg.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("jsonlines: %w", err)
	}
	w.mu.Lock()
	w.file = f
	w.mu.Unlock()
	return nil
}

func (w *lineWriter) shutdown(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	err := w.file.Close()
	w.file = nil
	return err
}

// write appends the request that marshal encodes as one line, in one
// write call, unless it is one of the first FailFirst requests.
func (w *lineWriter) write(marshal func() ([]byte, error)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests++
	if w.requests <= w.cfg.FailFirst {
		// Not permanent: the OTLP receiver answers UNAVAILABLE (gRPC) or
		// 503 (HTTP), which a sender retries.
		return fmt.Errorf("jsonlines: refusing request %d of the first %d (fail_first)", w.requests, w.cfg.FailFirst)
	}
	if w.file == nil {
		return errors.New("jsonlines: not started")
	}
	line, err := marshal()
	if err != nil {
		return fmt.Errorf("jsonlines: %w", err)
	}
	if _, err := w.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("jsonlines: %w", err)
	}
	return nil
}
