package store

import (
	"context"
	"runtime/debug"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestDeepValues stores values nested past what pdata's protobuf decoder
// accepts: they read back, in the JSON API and as OTLP, down to the
// deepest level that fits (arrays 49, key-value lists 32) and then as
// deepPlaceholder.
func TestDeepValues(t *testing.T) {
	s := openTest(t, Options{})
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(traceID(1))
	sp.SetSpanID(spanID(1))
	v := sp.Attributes().PutEmptySlice("deep")
	for range 100 {
		v = v.AppendEmpty().SetEmptySlice()
	}
	m := sp.Attributes().PutEmptyMap("deepmap")
	for range 100 {
		m = m.PutEmptyMap("m")
	}
	mustAppend(t, s, td)
	p, err := s.Trace(context.Background(), hexID(traceID(1)), Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		want int
	}{{"deep", 49}, {"deepmap", 32}} {
		depth := 0
		for x := p.Spans[0].Attributes[tc.key]; ; depth++ {
			if s, ok := x.([]any); ok {
				x = s[0]
				continue
			}
			if m, ok := x.(map[string]any); ok {
				x = m["m"]
				continue
			}
			if x != deepPlaceholder {
				t.Errorf("%s: at depth %d: %#v, want the placeholder", tc.key, depth, x)
			}
			break
		}
		if depth != tc.want {
			t.Errorf("%s: nested %d levels, want %d", tc.key, depth, tc.want)
		}
	}
	for i, got := range otlpBoth(t, s, hexID(traceID(1))) {
		depth := 0
		x, _ := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("deep")
		for ; x.Type() == pcommon.ValueTypeSlice; depth++ {
			x = x.Slice().At(0)
		}
		if depth != 49 || x.Str() != deepPlaceholder {
			t.Errorf("%s: arrays %d deep, then %q", otlpWays[i], depth, x.AsString())
		}
	}
	if st, err := s.Stats(context.Background()); err != nil || st.DeepValues != 2 {
		t.Errorf("stats: %d deep values, %v", st.DeepValues, err)
	}
}

// TestDeepValueMillion stores values nested a million levels, built in Go
// (no receiver refuses them), with a small stack limit: nothing in the
// store recurses more than the proto depth limit, and the values read
// back cut at the placeholder.
func TestDeepValueMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds values a million levels deep")
	}
	const levels = 1_000_000
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	ctx := context.Background()
	tests := []struct {
		name  string
		build func(pcommon.Value)
	}{
		{"array", func(v pcommon.Value) {
			for range levels {
				v = v.SetEmptySlice().AppendEmpty()
			}
		}},
		{"list", func(v pcommon.Value) {
			for range levels {
				v = v.SetEmptyMap().PutEmpty("m")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{})
			td := ptrace.NewTraces()
			tc.build(newSpan(td).Attributes().PutEmpty("deep"))
			if res := mustAppend(t, s, td); res.Accepted != 1 {
				t.Fatalf("append: %+v", res)
			}
			ld := plog.NewLogs()
			tc.build(newLog(ld).Body())
			if res, err := s.AppendLogs(ctx, ld); err != nil || res.Accepted != 1 {
				t.Fatalf("append logs: %+v, %v", res, err)
			}
			got, err := s.TraceOTLP(ctx, hexID(traceID(1)))
			if err != nil {
				t.Fatal(err)
			}
			v, _ := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("deep")
			depth := 0
			for ; v.Type() == pcommon.ValueTypeSlice || v.Type() == pcommon.ValueTypeMap; depth++ {
				if v.Type() == pcommon.ValueTypeSlice {
					v = v.Slice().At(0)
				} else {
					v, _ = v.Map().Get("m")
				}
			}
			if v.Str() != deepPlaceholder || depth < 32 || depth > 49 {
				t.Errorf("read back %d levels, then %q", depth, v.AsString())
			}
			logs, err := s.SearchLogs(ctx, LogQuery{Text: deepPlaceholder})
			if err != nil || len(logs.Logs) != 1 {
				t.Errorf("log with the placeholder in its body: %d found, %v", len(logs.Logs), err)
			}
			if st, err := s.Stats(ctx); err != nil || st.DeepValues != 2 {
				t.Errorf("stats: %d deep values (want 2), %v", st.DeepValues, err)
			}
		})
	}
}
