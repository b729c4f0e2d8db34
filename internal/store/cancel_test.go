package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// cancelFixture stores what the cancellation tests query: trace 0 of
// 2,000 spans, trace 1 of one span with 100,000 attributes, 1,000 traces
// of 2 spans, 600 spans of service "names" each of its own name, and
// 2,000 log records of 600 services.
func cancelFixture(t *testing.T, s *Store) {
	t.Helper()
	mustAppend(t, s, loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 1, 2000, base))
	mustAppend(t, s, wideTrace(1, 100_000))
	mustAppend(t, s, loadTraces(rand.New(rand.NewPCG(2, 2)), 100, 1000, 2, base))
	td := ptrace.NewTraces()
	for i := range 600 {
		sp := newSpan(td)
		sp.SetTraceID(traceID(2))
		sp.SetName(fmt.Sprintf("name %d", i))
	}
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("service.name", "names")
	mustAppend(t, s, td)
	ld := plog.NewLogs()
	for i := range 2000 {
		if i < 600 {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", fmt.Sprintf("log service %d", i))
			rl.ScopeLogs().AppendEmpty()
		}
		lr := ld.ResourceLogs().At(i % 600).ScopeLogs().At(0).LogRecords().AppendEmpty()
		lr.SetTimestamp(ts(base))
		lr.Body().SetStr(fmt.Sprintf("record %d", i))
		putN(lr.Attributes(), 4)
	}
	if res, err := s.AppendLogs(context.Background(), ld); err != nil || res.Accepted != 2000 {
		t.Fatalf("append logs: %+v, %v", res, err)
	}
}

// TestQueryCancel runs every query twice: to the end, counting the items
// it decodes, then with its context cancelled at the 10th item. The
// cancelled one returns context.Canceled having decoded at most
// checkEvery more, far fewer than all: wide spans and long row lists
// alike stop soon after their client goes.
func TestQueryCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 100,000 attributes")
	}
	var items int
	var onItem func()
	s := openSeams(t, Options{MaxAttributes: 100_000}, seams{onItem: func() {
		items++
		if onItem != nil {
			onItem()
		}
	}})
	cancelFixture(t, s)
	attr := map[string]string{"user.id": "nobody"}
	tests := []struct {
		name  string
		query func(ctx context.Context) error
	}{
		{"trace page", func(ctx context.Context) error {
			_, err := s.Trace(ctx, hexID(traceID(0)), Page{Limit: maxSpanLimit})
			return err
		}},
		{"trace OTLP", func(ctx context.Context) error { _, err := s.TraceOTLP(ctx, hexID(traceID(0))); return err }},
		{"wide span page", func(ctx context.Context) error { _, err := s.Trace(ctx, hexID(traceID(1)), Page{}); return err }},
		{"wide span OTLP", func(ctx context.Context) error { _, err := s.TraceOTLP(ctx, hexID(traceID(1))); return err }},
		{"search by attribute", func(ctx context.Context) error {
			_, err := s.SearchTraces(ctx, TraceQuery{Attributes: attr})
			return err
		}},
		{"search", func(ctx context.Context) error {
			_, err := s.SearchTraces(ctx, TraceQuery{Limit: maxTraceLimit})
			return err
		}},
		{"logs", func(ctx context.Context) error { _, err := s.SearchLogs(ctx, LogQuery{Limit: maxLogLimit}); return err }},
		{"services", func(ctx context.Context) error { _, err := s.Services(ctx); return err }},
		{"span names", func(ctx context.Context) error { _, err := s.SpanNames(ctx, "names"); return err }},
	}
	const cancelAt = 10
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, onItem = 0, nil
			if err := tc.query(context.Background()); err != nil {
				t.Fatal(err)
			}
			all := items
			if all < 2*(cancelAt+checkEvery) {
				t.Fatalf("the query decodes %d items: too few to tell", all)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			items = 0
			onItem = func() {
				if items == cancelAt {
					cancel()
				}
			}
			err := tc.query(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled: %v, want context.Canceled", err)
			}
			if items > cancelAt+checkEvery {
				t.Errorf("decoded %d of %d items after its context was cancelled at the %dth", items, all, cancelAt)
			}
			t.Logf("stopped after %d of %d items", items, all)
		})
	}
	t.Run("stats", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Stats(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("stats with a cancelled context: %v", err)
		}
	})
}
