package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// An emitter announces a long span with heartbeats (log records of the
// partial-span convention); the store keeps it open until its finished
// form arrives, and a page of the trace polls only for what changed.
func ExampleStore_TraceChanges() {
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

	tid := pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	scan := pcommon.SpanID{0, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
	start := time.Now().Add(-time.Hour)
	open := announcetest.Span("beamline", tid, scan, pcommon.SpanID{}, "grid scan", start, time.Time{})
	if _, err := s.AppendLogs(ctx, announcetest.Heartbeat(open, 10*time.Second, time.Now())); err != nil {
		log.Fatal(err)
	}
	page, err := s.Trace(ctx, tid.String(), store.Page{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Spans[0].Name, page.Spans[0].State, page.Summary.InProgress)

	// The scan ends: its stop record carries the finished span.
	done := announcetest.Span("beamline", tid, scan, pcommon.SpanID{}, "grid scan", start, start.Add(2*time.Hour))
	if _, err := s.AppendLogs(ctx, announcetest.Stop(done, time.Now())); err != nil {
		log.Fatal(err)
	}
	changed, err := s.TraceChanges(ctx, tid.String(), page.Changes, 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, sp := range changed.Spans {
		fmt.Println(sp.Name, sp.State, time.Duration(sp.EndUnixNano-sp.StartUnixNano))
	}
	fmt.Println("spans:", changed.Summary.SpanCount, "in progress:", changed.Summary.InProgress)
	// Output:
	// grid scan open true
	// grid scan finished 2h0m0s
	// spans: 1 in progress: false
}
