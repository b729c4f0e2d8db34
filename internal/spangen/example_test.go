package spangen_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sightline-dev/sightline/internal/spangen"
)

func Example() {
	g := spangen.New(100, 10, rand.New(rand.NewPCG(1, 1)))
	for seq := range uint64(3) {
		td := g.Next(seq*100, time.Now()) // traces 0-99, 100-199, 200-299
		fmt.Println(td.SpanCount(), "spans; first trace", td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID() == spangen.TraceID(seq*100))
	}
	// Output:
	// 1000 spans; first trace true
	// 1000 spans; first trace true
	// 1000 spans; first trace true
}
