package sampling

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxAdjusted is 2^56: randomness and thresholds are 56-bit numbers.
const maxAdjusted = 1 << 56

// Threshold is the rejection threshold of keeping probability p (0 to 1):
// T = (1 - p) x 2^56, so that a trace whose randomness R >= T is kept.
// p = 1 gives 0 (keep all), p = 0 gives 2^56 (keep none).
func Threshold(p float64) uint64 {
	switch {
	case !(p > 0):
		return maxAdjusted
	case p >= 1:
		return 0
	}
	return uint64(math.Round((1 - p) * maxAdjusted))
}

// Randomness is a trace's 56-bit randomness R: the explicit rv of the ot
// entry of its W3C tracestate (14 hex digits) when there is one, else the
// trace id's last 7 bytes, as OpenTelemetry's consistent probability
// sampling defines it.
func Randomness(id pcommon.TraceID, tracestate string) uint64 {
	if rv, ok := explicitRandomness(tracestate); ok {
		return rv
	}
	return binary.BigEndian.Uint64(id[8:]) & (maxAdjusted - 1)
}

// explicitRandomness reads rv from "ot=th:...;rv:xxxxxxxxxxxxxx" among a
// tracestate's comma-separated entries.
func explicitRandomness(tracestate string) (uint64, bool) {
	for entry := range strings.SplitSeq(tracestate, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok || key != "ot" {
			continue
		}
		for field := range strings.SplitSeq(value, ";") {
			if hex, ok := strings.CutPrefix(field, "rv:"); ok && len(hex) == 14 {
				if v, err := strconv.ParseUint(hex, 16, 64); err == nil {
					return v, true
				}
			}
		}
	}
	return 0, false
}
