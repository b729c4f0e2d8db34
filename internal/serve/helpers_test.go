package serve_test

import (
	"testing"

	"go.uber.org/goleak"
)

// noLeaks checks, after every later cleanup (the server's stop), that the
// test left no goroutines behind.
func noLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}
