package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "sightline-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := store.Open(ctx, dir, store.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close(ctx)

	// A trace of one span, as a receiver would hand it over.
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c})
	sp.SetSpanID(pcommon.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74})
	sp.SetName("GET /cart")
	start := time.Now().Add(-time.Second)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(42 * time.Millisecond)))

	// AppendTraces returns once the spans are committed: the receiver may
	// acknowledge them.
	res, err := s.AppendTraces(ctx, td)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("accepted %d, rejected %d\n", res.Accepted, res.Rejected)

	found, err := s.SearchTraces(ctx, store.TraceQuery{Service: "checkout", MinDuration: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	for _, tr := range found.Traces {
		fmt.Println(tr.TraceID, tr.RootService, tr.RootName, time.Duration(tr.DurationNano))
	}
	// Output:
	// accepted 1, rejected 0
	// 5b8efff798038103d269b633813fc60c checkout GET /cart 42ms
}
