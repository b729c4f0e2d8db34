//go:build race

package otlphttpenc_test

// raceEnabled: the race detector makes sync.Pool drop a share of what is
// put back, on purpose, so pool reuse cannot be measured.
const raceEnabled = true
