package sqlitefile

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (of a pool left
// open) outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
