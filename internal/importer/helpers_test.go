package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fakeSink records every batch it is given. It can refuse some items of
// every batch (partial success) or fail from a given call on.
type fakeSink struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	logs   []plog.Logs
	calls  int

	rejectSpans, rejectLogs int    // refused per batch
	message                 string // with the refusals
	failAt                  int    // fail the failAt-th call (1-based) and later ones; 0: never
	err                     error
}

func (s *fakeSink) AppendTraces(_ context.Context, td ptrace.Traces) (int, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failAt > 0 && s.calls >= s.failAt {
		return 0, "", s.err
	}
	s.traces = append(s.traces, td)
	return min(s.rejectSpans, td.SpanCount()), s.message, nil
}

func (s *fakeSink) AppendLogs(_ context.Context, ld plog.Logs) (int, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failAt > 0 && s.calls >= s.failAt {
		return 0, "", s.err
	}
	s.logs = append(s.logs, ld)
	return min(s.rejectLogs, ld.LogRecordCount()), s.message, nil
}

// flatSpan is a received span with what it was grouped under.
type flatSpan struct {
	ptrace.Span
	Resource  pcommon.Resource
	SchemaURL string
	Scope     pcommon.InstrumentationScope
}

func (s *fakeSink) spans() []flatSpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []flatSpan
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j)
				for k := 0; k < ss.Spans().Len(); k++ {
					out = append(out, flatSpan{ss.Spans().At(k), rs.Resource(), rs.SchemaUrl(), ss.Scope()})
				}
			}
		}
	}
	return out
}

// flatLog is a received log record with what it was grouped under.
type flatLog struct {
	plog.LogRecord
	Resource  pcommon.Resource
	SchemaURL string
	Scope     pcommon.InstrumentationScope
}

func (s *fakeSink) logRecords() []flatLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []flatLog
	for _, ld := range s.logs {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				sl := rl.ScopeLogs().At(j)
				for k := 0; k < sl.LogRecords().Len(); k++ {
					out = append(out, flatLog{sl.LogRecords().At(k), rl.Resource(), rl.SchemaUrl(), sl.Scope()})
				}
			}
		}
	}
	return out
}

// importFile imports testdata/name into a new fakeSink.
func importFile(t *testing.T, name string, opts ...Option) (Report, *fakeSink) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sink := &fakeSink{}
	rep, err := Import(context.Background(), f, name, sink, opts...)
	if err != nil {
		t.Fatalf("Import(%s): %v", name, err)
	}
	return rep, sink
}

// importString imports s into a new fakeSink.
func importString(t *testing.T, s string, opts ...Option) (Report, *fakeSink) {
	t.Helper()
	sink := &fakeSink{}
	rep, err := Import(context.Background(), strings.NewReader(s), "input", sink, opts...)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return rep, sink
}

func mustTraceID(t *testing.T, s string) pcommon.TraceID {
	t.Helper()
	var id pcommon.TraceID
	if err := parseHexID(id[:], s); err != nil {
		t.Fatal(err)
	}
	return id
}

func mustSpanID(t *testing.T, s string) pcommon.SpanID {
	t.Helper()
	var id pcommon.SpanID
	if err := parseHexID(id[:], s); err != nil {
		t.Fatal(err)
	}
	return id
}

// ts is a timestamp from an RFC 3339 time.
func ts(t *testing.T, s string) pcommon.Timestamp {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return pcommon.NewTimestampFromTime(tm)
}

// checkMap checks that m holds exactly want, in order, with the types the
// Go values stand for (AsRaw: int64 Int, float64 Double, []any Slice,
// map[string]any Map, nil Empty). NaN equals NaN.
func checkMap(t *testing.T, what string, m pcommon.Map, keys []string, want map[string]any) {
	t.Helper()
	var got []string
	for k := range m.All() {
		got = append(got, k)
	}
	if !reflect.DeepEqual(got, keys) {
		t.Errorf("%s: keys %q, want %q", what, got, keys)
	}
	for k, w := range want {
		v, ok := m.Get(k)
		if !ok {
			t.Errorf("%s: %q missing", what, k)
			continue
		}
		if g := v.AsRaw(); !equalRaw(g, w) {
			t.Errorf("%s: %q = %#v (%v), want %#v", what, k, g, v.Type(), w)
		}
	}
}

func equalRaw(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalRaw(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k := range a {
			if !equalRaw(a[k], b[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// checkRejections compares a report's rejections with want ("LINE: reason
// prefix" each).
func checkRejections(t *testing.T, rep Report, want ...string) {
	t.Helper()
	var got []string
	for _, r := range rep.Rejected {
		got = append(got, fmt.Sprintf("%d: %s", r.Line, r.Reason))
	}
	if len(got) != len(want) {
		t.Fatalf("rejections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("rejection %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

var errSinkDown = errors.New("sink down")
