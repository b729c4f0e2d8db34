//go:build race

package console

// raceEnabled reports whether the tests run under the race detector, which
// distorts timings.
const raceEnabled = true
