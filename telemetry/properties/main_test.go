package properties

import (
	"testing"

	"go.uber.org/goleak"
)

// modernc.org/sqlite starts a goroutine per call with a context and ends
// it when the call returns; database/sql's opener ends at DB.Close. So
// nothing is ignored here: a Store leaves no goroutine after Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
