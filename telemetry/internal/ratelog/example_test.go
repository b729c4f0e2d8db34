package ratelog_test

import (
	"errors"
	"log/slog"
	"os"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

func Example() {
	// Drop the time so the output is reproducible.
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	out := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	l := ratelog.New(out)

	// The collector is down: a thousand failed exports print one line.
	for range 1000 {
		l.ExportFailed("otlp-http", errors.New("connection refused"))
	}
	// It is back: one line, and the next failure would print again.
	l.ExportSucceeded("otlp-http")
	l.ExportSucceeded("otlp-http")

	st := l.Stats()
	out.Info("stats", "printed", st.Printed, "suppressed", st.Suppressed)
	// Output:
	// level=ERROR msg="export to otlp-http failing: connection refused"
	// level=WARN msg="export to otlp-http recovered after 1000 failed exports"
	// level=INFO msg=stats printed=2 suppressed=999
}
