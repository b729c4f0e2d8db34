package store

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkEncodeTraces is the per-request work done in the sender's
// goroutine: encoding a 1,000-span request of bench/ingest's shape into
// payloads, with the attribute index's items.
func BenchmarkEncodeTraces(b *testing.B) {
	d := newDict()
	lim := Options{}.withDefaults().limits()
	td := loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 100, 10, base)
	b.ReportAllocs()
	for b.Loop() {
		encodeTraces(d, lim, td)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*td.SpanCount()), "ns/span")
}
