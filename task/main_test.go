package task

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The cross-process tests run this test binary again as a worker
	// process (process_test.go); that process serves tasks instead of
	// running tests.
	switch os.Getenv(workerProcessEnv) {
	case "1":
		os.Exit(workerProcessMain())
	case submitterProcess:
		os.Exit(submitterProcessMain())
	}
	goleak.VerifyTestMain(m)
}
