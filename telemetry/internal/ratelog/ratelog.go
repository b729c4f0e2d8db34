package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultWindow is how long a Log stays quiet about a failing target (or a
// repeated SDK error) after printing a line about it.
const DefaultWindow = time.Minute

// LevelOff is a level above every line a Log prints: with it set, nothing
// is printed. Any level above [slog.LevelError] has the same effect.
const LevelOff = slog.LevelError + 9

// Log is a deduplicated, rate-limited log of telemetry export errors. Create
// it with [New]; all methods are safe for concurrent use, and on a nil *Log
// they do nothing.
type Log struct {
	out    *slog.Logger
	window time.Duration
	level  atomic.Int64

	mu      sync.RWMutex
	targets map[string]*episode // failing export targets
	sdk     map[string]*episode // SDK errors by key, "sdk: " + text

	printed    atomic.Uint64
	suppressed atomic.Uint64
}

// Option configures a Log. The interface is sealed: the With* functions of
// this package make them; a nil Option is ignored.
type Option interface{ apply(*Log) }

type optionFunc func(*Log)

func (f optionFunc) apply(l *Log) { f(l) }

// WithWindow sets how long a Log stays quiet about a target after a line
// about it; non-positive values keep [DefaultWindow].
func WithWindow(d time.Duration) Option {
	return optionFunc(func(l *Log) {
		if d > 0 {
			l.window = d
		}
	})
}

// WithLevel sets the minimum level printed; the default is
// [slog.LevelWarn]. Failures are printed at error level, recoveries at warn
// level.
func WithLevel(level slog.Level) Option {
	return optionFunc(func(l *Log) { l.level.Store(int64(level)) })
}

// New returns a Log printing to out, or to [slog.Default] if out is nil.
func New(out *slog.Logger, opts ...Option) *Log {
	if out == nil {
		out = slog.Default()
	}
	l := &Log{
		out:     out,
		window:  DefaultWindow,
		targets: make(map[string]*episode),
		sdk:     make(map[string]*episode),
	}
	l.level.Store(int64(slog.LevelWarn))
	for _, opt := range opts {
		if opt != nil {
			opt.apply(l)
		}
	}
	return l
}

// SetLevel changes the minimum level printed, at any time. [LevelOff]
// silences the Log; failures are still tracked and counted.
func (l *Log) SetLevel(level slog.Level) {
	if l == nil {
		return
	}
	l.level.Store(int64(level))
}

// Off silences the Log: SetLevel(LevelOff).
func (l *Log) Off() { l.SetLevel(LevelOff) }

// Level returns the minimum level printed.
func (l *Log) Level() slog.Level {
	if l == nil {
		return LevelOff
	}
	return slog.Level(l.level.Load())
}

// Warn prints msg and args at warn level, without deduplication; it is
// meant for one-off messages such as configuration warnings.
func (l *Log) Warn(msg string, args ...any) { l.emit(slog.LevelWarn, msg, args...) }

// Debug prints msg and args at debug level, without deduplication.
func (l *Log) Debug(msg string, args ...any) { l.emit(slog.LevelDebug, msg, args...) }

// Stats are a Log's counters since it was created.
type Stats struct {
	// Printed counts the lines handed to the logger (any level).
	Printed uint64
	// Suppressed counts the failures and SDK errors kept quiet because a
	// line about the same target or error was printed within the window.
	Suppressed uint64
}

// Stats returns the Log's counters.
func (l *Log) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	return Stats{Printed: l.printed.Load(), Suppressed: l.suppressed.Load()}
}

// emit prints one line if level is enabled, both by the Log and by its
// logger. It must be called without l.mu held: the logger may export
// telemetry and so call back into the Log.
func (l *Log) emit(level slog.Level, msg string, args ...any) {
	if l == nil || level < l.Level() {
		return
	}
	ctx := context.Background()
	if !l.out.Enabled(ctx, level) {
		return
	}
	l.printed.Add(1)
	l.out.Log(ctx, level, msg, args...)
}

// episode is the state of one failing target, or of one SDK error text.
type episode struct {
	since       time.Time // first failure
	windowStart time.Time // when the last line about it was printed
	lastErr     string
	failures    uint64 // all failures since the episode began
	pending     uint64 // failures suppressed since the last printed line
}

// newEpisode starts an episode whose first failure is printed now.
func newEpisode(now time.Time, errText string) *episode {
	return &episode{since: now, windowStart: now, lastErr: errText, failures: 1}
}

// fail records one more failure at now. If the window since the last printed
// line has passed, it opens a new window and returns print true with the
// number of failures suppressed in between; otherwise the failure is
// suppressed.
func (e *episode) fail(now time.Time, errText string, window time.Duration) (print bool, suppressed uint64) {
	e.failures++
	e.lastErr = errText
	if now.Sub(e.windowStart) < window {
		e.pending++
		return false, 0
	}
	suppressed = e.pending
	e.pending = 0
	e.windowStart = now
	return true, suppressed
}

// errText is the text of err as the Log shows it.
func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
