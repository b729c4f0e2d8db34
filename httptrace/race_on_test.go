//go:build race

package httptrace

// raceEnabled: the race detector makes sync.Pool drop a share of what is
// put back, on purpose, so allocation counts vary from run to run.
const raceEnabled = true
