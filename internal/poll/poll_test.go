package poll

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	Until(t, 5*time.Second, "three checks", func() bool { return n.Add(1) >= 3 })
	if got := n.Load(); got != 3 {
		t.Fatalf("checked %d times, want 3", got)
	}
}

// fake records Fatalf instead of ending the test.
type fake struct {
	testing.TB
	failed string
}

func (f *fake) Helper() {}
func (f *fake) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f)
}

func TestUntilFailsAtTheTimeout(t *testing.T) {
	f := &fake{TB: t}
	func() {
		defer func() { _ = recover() }()
		Until(f, 30*time.Millisecond, "never", func() bool { return false })
	}()
	if f.failed == "" {
		t.Fatal("Until returned without failing although the condition never held")
	}
}
