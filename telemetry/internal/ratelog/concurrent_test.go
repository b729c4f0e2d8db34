package ratelog_test

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

// TestConcurrentFailures hammers one target from many goroutines within a
// window: exactly one line, everything else suppressed.
func TestConcurrentFailures(t *testing.T) {
	const goroutines, each = 16, 1000
	c := newCapture()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				c.ExportFailed("collector", errRefused)
			}
		})
	}
	wg.Wait()
	if got := c.lines(); len(got) != 1 || got[0] != failing {
		t.Errorf("printed %q", got)
	}
	if got, want := c.Stats(), (ratelog.Stats{Printed: 1, Suppressed: goroutines*each - 1}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	if _, _, _, failures := c.State("collector"); failures != goroutines*each {
		t.Errorf("failures %d", failures)
	}
}

// TestConcurrentMixed runs every method at once, for the race detector, and
// checks that Stats agree with the lines printed.
func TestConcurrentMixed(t *testing.T) {
	c := newCapture(ratelog.WithWindow(time.Millisecond))
	var wg sync.WaitGroup
	for g := range 8 {
		target := fmt.Sprintf("target-%d", g%3)
		wg.Go(func() {
			for i := range 500 {
				switch i % 5 {
				case 0, 1:
					c.ExportFailed(target, errRefused)
				case 2:
					c.ExportSucceeded(target)
				case 3:
					c.Handle(fmt.Errorf("sdk error %d", i%7))
					c.State(target)
				case 4:
					c.Stats()
					if i%100 == 4 {
						c.SetLevel(slog.LevelWarn)
					}
				}
			}
		})
	}
	wg.Wait()
	if got, printed := len(c.lines()), c.Stats().Printed; uint64(got) != printed {
		t.Errorf("%d lines printed, Stats().Printed = %d", got, printed)
	}
}
