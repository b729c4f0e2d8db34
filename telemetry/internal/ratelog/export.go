package ratelog

import (
	"fmt"
	"log/slog"
	"time"
)

// ExportFailed records a failed export to target (a name such as
// "otlp-http traces" or an endpoint URL).
//
// The first failure of a target prints, at error level,
//
//	export to <target> failing: <err>
//
// Further failures within the window are suppressed and counted; a
// different error text is suppressed too, but remembered. The first failure
// after the window prints
//
//	export to <target> failing: <err> (N similar suppressed)
//
// with the latest error and the number suppressed since the last line, and
// opens a new window.
func (l *Log) ExportFailed(target string, err error) {
	if l == nil {
		return
	}
	text := errText(err)
	now := time.Now()

	l.mu.Lock()
	e, ok := l.targets[target]
	var (
		print      = true
		suppressed uint64
	)
	if !ok {
		l.targets[target] = newEpisode(now, text)
	} else {
		print, suppressed = e.fail(now, text, l.window)
	}
	l.mu.Unlock()

	if !print {
		l.suppressed.Add(1)
		return
	}
	l.emit(slog.LevelError, withSuppressed(fmt.Sprintf("export to %s failing: %s", target, text), suppressed))
}

// ExportSucceeded records a successful export to target. If the target was
// failing it prints, once and at warn level,
//
//	export to <target> recovered after N failed exports
//
// and forgets the failure. Otherwise it does nothing; it takes only a read
// lock then, so it may be called after every export.
func (l *Log) ExportSucceeded(target string) {
	if l == nil {
		return
	}
	l.mu.RLock()
	_, failing := l.targets[target]
	l.mu.RUnlock()
	if !failing {
		return
	}

	l.mu.Lock()
	e, ok := l.targets[target]
	if ok {
		delete(l.targets, target)
	}
	l.mu.Unlock()
	if !ok {
		return // another goroutine reported the recovery first
	}
	l.emit(slog.LevelWarn, fmt.Sprintf("export to %s recovered after %s", target, plural(e.failures, "failed export")))
}

// State reports whether exports to target are failing and, if so, since
// when, the latest error text and how many exports have failed since then.
func (l *Log) State(target string) (failing bool, since time.Time, lastErr string, failures uint64) {
	if l == nil {
		return false, time.Time{}, "", 0
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.targets[target]
	if !ok {
		return false, time.Time{}, "", 0
	}
	return true, e.since, e.lastErr, e.failures
}

// withSuppressed appends " (N similar suppressed)" to msg when N > 0.
func withSuppressed(msg string, n uint64) string {
	if n == 0 {
		return msg
	}
	return fmt.Sprintf("%s (%d similar suppressed)", msg, n)
}

// plural returns "1 thing" or "N things".
func plural(n uint64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
