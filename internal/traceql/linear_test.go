package traceql

import (
	"strings"
	"testing"
	"time"
)

// nsPerByte is the fastest of a few timed runs of parsing q repeatedly,
// divided by the bytes parsed.
func nsPerByte(q string) float64 {
	reps := 1 + 200_000/len(q)
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		for range reps {
			_, _ = Parse(q)
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds()) / float64(reps*len(q))
}

// repeatTo repeats unit after head, joined by sep, to just under n bytes.
func repeatTo(head, sep, unit, tail string, n int) string {
	var sb strings.Builder
	sb.WriteString(head)
	sb.WriteString(unit)
	for sb.Len()+len(sep)+len(unit)+len(tail) <= n {
		sb.WriteString(sep)
		sb.WriteString(unit)
	}
	sb.WriteString(tail)
	return sb.String()
}

// TestParseIsLinear compares the cost per byte of 16 KiB pathological
// queries with that of a small ordinary one. A super-linear parser would be
// hundreds of times slower per byte at this size; the bound allows noise.
func TestParseIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	small := nsPerByte(`{ .http.status_code >= 500 && name = "GET" } >> { status = error }`)
	n := MaxQueryBytes
	pathological := map[string]string{
		"spanset && chain":   repeatTo("", "&&", "{}", "", n),
		"structural chain":   repeatTo("", ">>", "{}", "", n),
		"filter || chain":    repeatTo("{", "||", ".a=1", "}", n),
		"nested to limit":    strings.Repeat("(", MaxDepth-1) + repeatTo("{", "&&", ".a=1", "}", n-2*MaxDepth) + strings.Repeat(")", MaxDepth-1),
		"open parens":        strings.Repeat("(", n),
		"nots":               "{" + strings.Repeat("!(", n/2-1) + "}",
		"long string":        `{.a="` + strings.Repeat(`\"`, n/2-8) + `"}`,
		"long attribute":     "{." + strings.Repeat("a.", n/2-4) + "=1}",
		"quoted name parts":  "{." + strings.Repeat(`"a"`, n/3-2) + "=1}",
		"long duration":      "{.a=" + strings.Repeat("1h", n/2-4) + "}",
		"unterminated":       `{.a="` + strings.Repeat("x", n-6),
		"error at the end":   repeatTo("", "&&", "{.a=1}", "&&", n),
		"parens in a filter": "{" + strings.Repeat("(", MaxDepth-2) + repeatTo("", "&&", ".a=1", "", n-2*MaxDepth) + strings.Repeat(")", MaxDepth-2) + "}",
	}
	for name, q := range pathological {
		if len(q) > MaxQueryBytes {
			t.Fatalf("%s: built %d bytes, over the limit", name, len(q))
		}
		big := nsPerByte(q)
		t.Logf("%-18s %5d bytes: %.1f ns/byte (small query: %.1f ns/byte)", name, len(q), big, small)
		if big > 25*small {
			t.Errorf("%s: %.1f ns/byte, more than 25x the %.1f ns/byte of a small query", name, big, small)
		}
	}
}
