//go:build !race

package otlphttpenc_test

const raceEnabled = false
