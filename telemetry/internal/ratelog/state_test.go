package ratelog_test

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

func TestState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCapture()
		if failing, _, _, _ := c.State("collector"); failing {
			t.Error("failing before any failure")
		}
		start := time.Now()
		c.ExportFailed("collector", errRefused)
		time.Sleep(5 * time.Second)
		c.ExportFailed("collector", errTimeout)

		failing, since, lastErr, failures := c.State("collector")
		if !failing || !since.Equal(start) || lastErr != errTimeout.Error() || failures != 2 {
			t.Errorf("State() = %v, %v, %q, %d; want true, %v, %q, 2", failing, since, lastErr, failures, start, errTimeout)
		}
		if failing, _, _, _ := c.State("other"); failing {
			t.Error("other target failing")
		}

		c.ExportSucceeded("collector")
		failing, since, lastErr, failures = c.State("collector")
		if failing || !since.IsZero() || lastErr != "" || failures != 0 {
			t.Errorf("after recovery State() = %v, %v, %q, %d", failing, since, lastErr, failures)
		}
	})
}

// TestHandleBoundsDistinctErrors checks that varying SDK error texts do not
// grow the Log without limit, yet new texts print again once old ones
// expire.
func TestHandleBoundsDistinctErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCapture(ratelog.WithLevel(ratelog.LevelOff))
		for i := range 300 {
			c.Handle(fmt.Errorf("dropped %d spans", i))
		}
		if got, want := c.Stats(), (ratelog.Stats{Printed: 0, Suppressed: 300 - 256}); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
		c.SetLevel(slog.LevelWarn)
		time.Sleep(time.Minute)
		c.Handle(errors.New("new after the window"))
		if got := c.lines(); len(got) != 1 || got[0] != `level=ERROR msg="sdk: new after the window"` {
			t.Errorf("printed %q", got)
		}
	})
}

func TestNilLog(t *testing.T) {
	var l *ratelog.Log
	l.ExportFailed("x", errRefused)
	l.ExportSucceeded("x")
	l.Handle(errRefused)
	l.Warn("w")
	l.Debug("d")
	l.SetLevel(slog.LevelDebug)
	l.Off()
	if failing, _, _, _ := l.State("x"); failing {
		t.Error("nil Log failing")
	}
	if l.Stats() != (ratelog.Stats{}) || l.Level() != ratelog.LevelOff {
		t.Errorf("nil Log: %+v %v", l.Stats(), l.Level())
	}
}

func TestNewNilLoggerUsesDefault(t *testing.T) {
	l := ratelog.New(nil, ratelog.WithWindow(-time.Second))
	if l.Level() != slog.LevelWarn {
		t.Errorf("default level %v", l.Level())
	}
}
