package ratelog

import (
	"log/slog"
	"time"
)

// maxSDKErrors bounds how many distinct SDK error texts a Log remembers, so
// that errors whose text varies (counts, addresses) cannot grow it without
// limit.
const maxSDKErrors = 256

// Handle records an error reported by the OpenTelemetry SDK; with it a *Log
// satisfies go.opentelemetry.io/otel's ErrorHandler interface, for
// otel.SetErrorHandler.
//
// Errors are deduplicated by text with the same window as export failures:
// the first occurrence prints "sdk: <text>" at error level, repeats within
// the window are suppressed and counted, and the first repeat after the
// window prints "sdk: <text> (N similar suppressed)".
//
// At most 256 distinct texts are remembered; when that many are, texts not
// printed within the window are forgotten, and if none can be, a new text
// is suppressed. A nil err is ignored.
func (l *Log) Handle(err error) {
	if l == nil || err == nil {
		return
	}
	key := "sdk: " + err.Error()
	now := time.Now()

	l.mu.Lock()
	var (
		print      = true
		suppressed uint64
	)
	if e, ok := l.sdk[key]; ok {
		print, suppressed = e.fail(now, key, l.window)
	} else if l.roomForSDKErrorLocked(now) {
		l.sdk[key] = newEpisode(now, key)
	} else {
		print = false
	}
	l.mu.Unlock()

	if !print {
		l.suppressed.Add(1)
		return
	}
	l.emit(slog.LevelError, withSuppressed(key, suppressed))
}

// roomForSDKErrorLocked reports whether another SDK error text can be
// remembered, first forgetting the texts whose window has passed if the
// limit is reached. l.mu must be held.
func (l *Log) roomForSDKErrorLocked(now time.Time) bool {
	if len(l.sdk) < maxSDKErrors {
		return true
	}
	for key, e := range l.sdk {
		if now.Sub(e.windowStart) >= l.window {
			delete(l.sdk, key)
		}
	}
	return len(l.sdk) < maxSDKErrors
}
