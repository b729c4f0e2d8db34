package otelcoltest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (one waits for each
// collector process) outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
