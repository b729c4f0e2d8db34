// Package poll provides Until, the tests' way to wait for a condition that
// another goroutine or process makes true: check it every 10 ms until it
// holds or the timeout passes, never a fixed sleep.
package poll

import (
	"testing"
	"time"
)

// Until checks cond every 10 ms until it holds, and fails t (naming what
// it waited for) when timeout passes first.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
