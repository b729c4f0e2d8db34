package store

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// modernc.org/sqlite starts a goroutine per call with a cancellable
// context and ends it when the call returns; database/sql's opener ends at
// DB.Close. So nothing is ignored here: a Store leaves no goroutine after
// Close. The crash test's child process (see crash_test.go) runs instead
// of the tests when its environment variable is set.
func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	goleak.VerifyTestMain(m)
}
