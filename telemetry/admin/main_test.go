package admin

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain points the runtime directory at a temporary one, so that no
// test writes token files into the user's own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sightline-admin-test-run")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Setenv(RuntimeDirEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}
