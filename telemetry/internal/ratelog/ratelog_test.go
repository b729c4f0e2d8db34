package ratelog_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

var _ otel.ErrorHandler = (*ratelog.Log)(nil)

var (
	errRefused = errors.New("connection refused")
	errTimeout = errors.New("context deadline exceeded")
)

// capture is a Log whose lines, without time, go to a buffer.
type capture struct {
	*ratelog.Log
	buf *bytes.Buffer
}

func newCapture(opts ...ratelog.Option) capture {
	var buf bytes.Buffer
	h := slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return capture{Log: ratelog.New(slog.New(h), opts...), buf: &buf}
}

func (c capture) lines() []string {
	s := strings.TrimSuffix(c.buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func repeat(n int, f func()) {
	for range n {
		f()
	}
}

const (
	failing   = `level=ERROR msg="export to collector failing: connection refused"`
	recovered = `level=WARN msg="export to collector recovered after %d failed exports"`
)

// TestSequences runs sequences of events in a synctest bubble, where
// time.Sleep advances the fake clock, and checks the exact lines printed.
func TestSequences(t *testing.T) {
	tests := []struct {
		name      string
		opts      []ratelog.Option
		run       func(l *ratelog.Log)
		wantLines []string
		wantStats ratelog.Stats
	}{
		{
			name: "1000 failures within the window print one line",
			run: func(l *ratelog.Log) {
				repeat(1000, func() { l.ExportFailed("collector", errRefused); time.Sleep(time.Millisecond) })
			},
			wantLines: []string{failing},
			wantStats: ratelog.Stats{Printed: 1, Suppressed: 999},
		},
		{
			name: "first failure after the window prints a summary",
			run: func(l *ratelog.Log) {
				repeat(1000, func() { l.ExportFailed("collector", errRefused) })
				time.Sleep(time.Minute)
				l.ExportFailed("collector", errRefused)
				repeat(5, func() { l.ExportFailed("collector", errRefused) })
				time.Sleep(time.Minute)
				l.ExportFailed("collector", errRefused)
			},
			wantLines: []string{
				failing,
				`level=ERROR msg="export to collector failing: connection refused (999 similar suppressed)"`,
				`level=ERROR msg="export to collector failing: connection refused (5 similar suppressed)"`,
			},
			wantStats: ratelog.Stats{Printed: 3, Suppressed: 1004},
		},
		{
			name: "the window counts from the last printed line",
			run: func(l *ratelog.Log) {
				l.ExportFailed("collector", errRefused)
				time.Sleep(59 * time.Second)
				l.ExportFailed("collector", errRefused)
				time.Sleep(time.Second)
				l.ExportFailed("collector", errRefused)
				time.Sleep(59 * time.Second)
				l.ExportFailed("collector", errRefused)
			},
			wantLines: []string{
				failing,
				`level=ERROR msg="export to collector failing: connection refused (1 similar suppressed)"`,
			},
			wantStats: ratelog.Stats{Printed: 2, Suppressed: 2},
		},
		{
			name: "a different error within the window is suppressed, the latest shown next",
			run: func(l *ratelog.Log) {
				l.ExportFailed("collector", errRefused)
				repeat(3, func() { l.ExportFailed("collector", errTimeout) })
				time.Sleep(time.Minute)
				l.ExportFailed("collector", errTimeout)
			},
			wantLines: []string{
				failing,
				`level=ERROR msg="export to collector failing: context deadline exceeded (3 similar suppressed)"`,
			},
			wantStats: ratelog.Stats{Printed: 2, Suppressed: 3},
		},
		{
			name: "nothing suppressed across a window prints no count",
			opts: []ratelog.Option{ratelog.WithWindow(10 * time.Second)},
			run: func(l *ratelog.Log) {
				l.ExportFailed("collector", errRefused)
				time.Sleep(10 * time.Second)
				l.ExportFailed("collector", nil)
			},
			wantLines: []string{failing, `level=ERROR msg="export to collector failing: unknown error"`},
			wantStats: ratelog.Stats{Printed: 2},
		},
		{
			name: "recovery prints once and resets",
			run: func(l *ratelog.Log) {
				repeat(3, func() { l.ExportFailed("collector", errRefused) })
				time.Sleep(time.Minute)
				l.ExportSucceeded("collector")
				l.ExportSucceeded("collector")
				l.ExportFailed("collector", errRefused)
				l.ExportSucceeded("collector")
			},
			wantLines: []string{
				failing,
				fmt.Sprintf(recovered, 3),
				failing,
				`level=WARN msg="export to collector recovered after 1 failed export"`,
			},
			wantStats: ratelog.Stats{Printed: 4, Suppressed: 2},
		},
		{
			name: "success of a healthy target prints nothing",
			run: func(l *ratelog.Log) {
				repeat(100, func() { l.ExportSucceeded("collector") })
			},
		},
		{
			name: "targets are independent",
			run: func(l *ratelog.Log) {
				repeat(2, func() {
					l.ExportFailed("traces", errRefused)
					l.ExportFailed("logs", errTimeout)
				})
				l.ExportSucceeded("traces")
				l.ExportFailed("logs", errTimeout)
				time.Sleep(time.Minute)
				l.ExportFailed("logs", errTimeout)
			},
			wantLines: []string{
				`level=ERROR msg="export to traces failing: connection refused"`,
				`level=ERROR msg="export to logs failing: context deadline exceeded"`,
				`level=WARN msg="export to traces recovered after 2 failed exports"`,
				`level=ERROR msg="export to logs failing: context deadline exceeded (2 similar suppressed)"`,
			},
			wantStats: ratelog.Stats{Printed: 4, Suppressed: 3},
		},
		{
			name: "level off prints nothing",
			opts: []ratelog.Option{ratelog.WithLevel(ratelog.LevelOff)},
			run: func(l *ratelog.Log) {
				repeat(3, func() { l.ExportFailed("collector", errRefused) })
				time.Sleep(time.Minute)
				l.ExportFailed("collector", errRefused)
				l.ExportSucceeded("collector")
				l.Handle(errRefused)
				l.Warn("config")
				l.Debug("config")
			},
			wantStats: ratelog.Stats{Suppressed: 2},
		},
		{
			name: "Off and SetLevel at run time",
			run: func(l *ratelog.Log) {
				l.Off()
				l.ExportFailed("collector", errRefused)
				l.SetLevel(slog.LevelWarn)
				l.ExportSucceeded("collector")
			},
			wantLines: []string{`level=WARN msg="export to collector recovered after 1 failed export"`},
			wantStats: ratelog.Stats{Printed: 1},
		},
		{
			name: "error level hides recoveries and warnings",
			opts: []ratelog.Option{ratelog.WithLevel(slog.LevelError)},
			run: func(l *ratelog.Log) {
				l.ExportFailed("collector", errRefused)
				l.ExportSucceeded("collector")
				l.Warn("ignored")
			},
			wantLines: []string{failing},
			wantStats: ratelog.Stats{Printed: 1},
		},
		{
			name: "Handle deduplicates by text",
			run: func(l *ratelog.Log) {
				repeat(5, func() { l.Handle(errRefused) })
				l.Handle(errTimeout)
				l.Handle(nil)
				time.Sleep(time.Minute)
				l.Handle(errRefused)
				l.Handle(errTimeout)
			},
			wantLines: []string{
				`level=ERROR msg="sdk: connection refused"`,
				`level=ERROR msg="sdk: context deadline exceeded"`,
				`level=ERROR msg="sdk: connection refused (4 similar suppressed)"`,
				`level=ERROR msg="sdk: context deadline exceeded"`,
			},
			wantStats: ratelog.Stats{Printed: 4, Suppressed: 4},
		},
		{
			name: "Handle and a target of the same text are independent",
			run: func(l *ratelog.Log) {
				l.Handle(errRefused)
				l.ExportFailed("collector", errRefused)
			},
			wantLines: []string{`level=ERROR msg="sdk: connection refused"`, failing},
			wantStats: ratelog.Stats{Printed: 2},
		},
		{
			name: "Warn passes through, Debug only at debug level",
			run: func(l *ratelog.Log) {
				l.Warn("unknown sampler, using parentbased_always_on", "sampler", "foo")
				l.Warn("unknown sampler, using parentbased_always_on", "sampler", "foo")
				l.Debug("exporter configured", "endpoint", "localhost:4317")
			},
			wantLines: []string{
				`level=WARN msg="unknown sampler, using parentbased_always_on" sampler=foo`,
				`level=WARN msg="unknown sampler, using parentbased_always_on" sampler=foo`,
			},
			wantStats: ratelog.Stats{Printed: 2},
		},
		{
			name: "Debug at debug level",
			opts: []ratelog.Option{ratelog.WithLevel(slog.LevelDebug)},
			run: func(l *ratelog.Log) {
				l.Debug("exporter configured", "endpoint", "localhost:4317")
			},
			wantLines: []string{`level=DEBUG msg="exporter configured" endpoint=localhost:4317`},
			wantStats: ratelog.Stats{Printed: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := newCapture(tt.opts...)
				tt.run(c.Log)
				if got := c.lines(); strings.Join(got, "\n") != strings.Join(tt.wantLines, "\n") {
					t.Errorf("printed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantLines, "\n"))
				}
				if got := c.Stats(); got != tt.wantStats {
					t.Errorf("Stats() = %+v, want %+v", got, tt.wantStats)
				}
			})
		})
	}
}
