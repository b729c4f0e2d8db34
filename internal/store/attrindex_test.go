package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"database/sql/driver"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
)

// typedTrace is one trace n of two spans whose attributes are set by
// span and resource.
func typedTrace(n uint64, span, resource func(pcommon.Map)) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "typed")
	resource(rs.Resource().Attributes())
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range uint64(2) {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(traceID(n))
		sp.SetSpanID(spanID(n*2 + i))
		if i == 1 {
			sp.SetParentSpanID(spanID(n * 2))
			span(sp.Attributes())
		}
		sp.SetName(fmt.Sprintf("op %d", i))
		sp.SetStartTimestamp(ts(base.Add(time.Duration(n) * time.Second)))
		sp.SetEndTimestamp(ts(base.Add(time.Duration(n)*time.Second + time.Millisecond)))
	}
	return td
}

func searchIDs(t *testing.T, s *Store, q TraceQuery) []string {
	t.Helper()
	q.Limit = maxTraceLimit
	res, err := s.SearchTraces(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	var ids []string
	for _, tr := range res.Traces {
		ids = append(ids, tr.TraceID)
	}
	slices.Sort(ids)
	return ids
}

// TestAttrIndexFinds stores values of every type on spans and resources
// and finds each trace by the string form of its value, as the query API
// compares it: the index must never rule out a trace that matches.
func TestAttrIndexFinds(t *testing.T) {
	s := openTest(t, Options{MaxValueBytes: 16})
	none := func(pcommon.Map) {}
	cases := []struct {
		span, res func(pcommon.Map)
		key, val  string
	}{
		{func(m pcommon.Map) { m.PutStr("s", "text") }, none, "s", "text"},
		{func(m pcommon.Map) { m.PutInt("i", 42) }, none, "i", "42"},
		{func(m pcommon.Map) { m.PutInt("i", -7) }, none, "i", "-7"},
		{func(m pcommon.Map) { m.PutDouble("d", 2.5) }, none, "d", "2.5"},
		{func(m pcommon.Map) { m.PutDouble("d", 5) }, none, "d", "5"},
		{func(m pcommon.Map) { m.PutDouble("d", 1e21) }, none, "d", "1e+21"},
		{func(m pcommon.Map) { m.PutBool("b", true) }, none, "b", "true"},
		{func(m pcommon.Map) { m.PutEmptyBytes("raw").FromRaw([]byte{1, 2, 3}) }, none, "raw", "AQID"},
		{func(m pcommon.Map) { m.PutEmpty("e") }, none, "e", ""},
		{func(m pcommon.Map) { m.PutStr("long", "0123456789abcdefXYZ") }, none, "long", "0123456789abcdef"}, // cut to 16 bytes
		{func(m pcommon.Map) { m.PutEmptySlice("arr").AppendEmpty().SetStr("x") }, none, "arr", `["x"]`},
		{func(m pcommon.Map) { m.PutEmptyMap("obj").PutInt("k", 1) }, none, "obj", `{"k":1}`},
		{none, func(m pcommon.Map) { m.PutStr("host.name", "node-3") }, "host.name", "node-3"},
		{none, func(m pcommon.Map) { m.PutInt("process.pid", 4242) }, "process.pid", "4242"},
	}
	for i, c := range cases {
		mustAppend(t, s, typedTrace(uint64(1000+i), c.span, c.res))
	}
	mustAppend(t, s, typedTrace(1, func(m pcommon.Map) { m.PutStr("s", "other") }, none)) // a decoy
	for i, c := range cases {
		want := []string{hexID(traceID(uint64(1000 + i)))}
		if got := searchIDs(t, s, TraceQuery{Attributes: map[string]string{c.key: c.val}}); !slices.Equal(got, want) {
			t.Errorf("%s=%q: found %v, want %v", c.key, c.val, got, want)
		}
	}
	for _, miss := range []map[string]string{{"s": "nothing"}, {"i": "43"}, {"s": "text", "i": "42"}, {"nokey": ""}} {
		if got := searchIDs(t, s, TraceQuery{Attributes: miss}); len(got) != 0 {
			t.Errorf("%v: found %v, want nothing", miss, got)
		}
	}
}

// TestAttrIndexNarrows checks that a search for a value few traces have
// reads only a few traces' spans, not every stored span, and that pairs
// found on different spans (and in different transactions) of a trace
// still match.
func TestAttrIndexNarrows(t *testing.T) {
	var decoded int
	s := openSeams(t, Options{}, seams{onItem: func() { decoded++ }})
	r := rand.New(rand.NewPCG(3, 4))
	const traces, per = 2000, 10
	for i := range uint64(traces / 100) {
		mustAppend(t, s, loadTraces(r, i*100, 100, per, base.Add(time.Duration(i)*time.Second)))
	}
	// Trace 5 gets a span with a rare value in a later transaction.
	late := typedTrace(0, func(m pcommon.Map) { m.PutStr("needle", "yes") }, func(pcommon.Map) {})
	forEachSpan(late, func(sp ptrace.Span) { sp.SetTraceID(traceID(5)); sp.SetSpanID(spanID(1 << 40)) })
	late.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(sp ptrace.Span) bool { return sp.Attributes().Len() == 0 })
	mustAppend(t, s, late)
	for _, c := range []struct {
		q    map[string]string
		want []string
	}{
		{map[string]string{"user.id": "no-such-user"}, nil},
		{map[string]string{"needle": "yes"}, []string{hexID(traceID(5))}},
		{map[string]string{"needle": "yes", "service.name": "frontend"}, []string{hexID(traceID(5))}},
		{map[string]string{"needle": "yes", "service.name": "typed"}, []string{hexID(traceID(5))}},
		{map[string]string{"needle": "yes", "service.name": "nowhere"}, nil},
	} {
		decoded = 0
		got := searchIDs(t, s, TraceQuery{Attributes: c.q})
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: found %v, want %v", c.q, got, c.want)
		}
		// Without the index every span is decoded, with its attributes:
		// 340,000 items here; a block the filter wrongly says may match
		// costs 100 traces (17,000).
		if decoded > 2*traces*per {
			t.Errorf("%v: decoded %d items of %d spans: the index did not narrow the search", c.q, decoded, traces*per)
		}
	}
}

// TestAttrIndexSmallTransactions stores traces one per transaction, past
// the point where the pending rows become a block, and checks each is
// found by its value before and after the store is opened again.
func TestAttrIndexSmallTransactions(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = pendingRowsMax + 40
	for i := range uint64(n) {
		mustAppend(t, s, typedTrace(i, func(m pcommon.Map) { m.PutInt("run", int64(i)) }, func(pcommon.Map) {}))
	}
	check := func(s *Store, when string) {
		for _, i := range []uint64{0, 1, pendingRowsMax - 1, pendingRowsMax, n - 1} {
			want := []string{hexID(traceID(i))}
			if got := searchIDs(t, s, TraceQuery{Attributes: map[string]string{"run": fmt.Sprint(i)}}); !slices.Equal(got, want) {
				t.Errorf("%s: run=%d: found %v, want %v", when, i, got, want)
			}
		}
	}
	check(s, "before reopening")
	var blocks, pending int
	runJob(t, s, func(w *wconn) error {
		return errors.Join(countRows(w, "attr_blocks", &blocks), countRows(w, "attr_pending", &pending))
	})
	if blocks != 1 || pending != n-pendingRowsMax {
		t.Errorf("%d blocks and %d pending rows, want 1 and %d", blocks, pending, n-pendingRowsMax)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(context.Background(), dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	check(s, "after reopening")
	if s.attrs.rows != n-pendingRowsMax {
		t.Errorf("reopened with %d pending rows in memory, want %d", s.attrs.rows, n-pendingRowsMax)
	}
}

// TestAttrIndexMigrated opens a file made before the index existed
// (schema version 2): its traces are found by attribute still, and so
// are traces stored after the migration.
func TestAttrIndexMigrated(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, typedTrace(1, func(m pcommon.Map) { m.PutStr("k", "old") }, func(pcommon.Map) {}))
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitefile.Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DROP TABLE attr_blocks", "DROP TABLE attr_pending",
		"DELETE FROM counters WHERE name = 'attr_index_from'", "PRAGMA user_version = 2"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(context.Background(), dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.attrFrom.Load() != 2 {
		t.Errorf("attr_index_from %d, want 2", s.attrFrom.Load())
	}
	mustAppend(t, s, typedTrace(2, func(m pcommon.Map) { m.PutStr("k", "new") }, func(pcommon.Map) {}))
	for v, n := range map[string]uint64{"old": 1, "new": 2} {
		want := []string{hexID(traceID(n))}
		if got := searchIDs(t, s, TraceQuery{Attributes: map[string]string{"k": v}}); !slices.Equal(got, want) {
			t.Errorf("k=%s: found %v, want %v", v, got, want)
		}
	}
}

func countRows(w *wconn, table string, n *int) error {
	return w.query("SELECT count(*) FROM "+table, nil, 1, func(v []driver.Value) error {
		*n = int(v[0].(int64))
		return nil
	})
}

// TestItemSet adds random items with many repeats across several
// growths and compares the set with a map.
func TestItemSet(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 10, 1000, 100000} {
		var s itemSet
		if n == 1000 {
			s.init(n)
		}
		want := map[uint64]bool{}
		for range 3 * n {
			x := r.Uint64N(uint64(n)+1) + 1
			s.add(x)
			want[x] = true
		}
		got := s.list()
		if len(got) != len(want) || s.len() != len(want) {
			t.Fatalf("n=%d: %d items listed, len %d, want %d", n, len(got), s.len(), len(want))
		}
		for _, x := range got {
			if !want[x] {
				t.Fatalf("n=%d: %d listed, never added", n, x)
			}
		}
	}
}

// TestBloom checks that a filter has every item added and few it lacks.
func TestBloom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 100, blockItems, 5 * blockItems} {
		items := make([]uint64, n)
		for i := range items {
			items[i] = r.Uint64()
		}
		b := newBloom(items)
		for _, x := range items {
			if !b.has(x) {
				t.Fatalf("n=%d: an added item tests absent", n)
			}
		}
		fp := 0
		const probes = 100000
		for range probes {
			if b.has(r.Uint64()) {
				fp++
			}
		}
		if rate := float64(fp) / probes; n >= 100 && rate > 0.002 {
			t.Errorf("n=%d: false positive rate %.4f, want about 0.0005", n, rate)
		}
	}
}

// TestAttrIndexRetention checks that retention deletes the index blocks
// of the traces it deletes, and keeps those of the traces left.
func TestAttrIndexRetention(t *testing.T) {
	var c clock
	c.set(base)
	s := openSeams(t, Options{RetentionAge: time.Hour}, seams{now: c.now})
	mustAppend(t, s, loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 200, 10, base))                     // a block, old
	mustAppend(t, s, loadTraces(rand.New(rand.NewPCG(2, 2)), 1000, 200, 10, base.Add(2*time.Hour))) // a block, new
	count := func() (n int) {
		runJob(t, s, func(w *wconn) error { return countRows(w, "attr_blocks", &n) })
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d blocks before retention, want 2", n)
	}
	c.set(base.Add(2*time.Hour + 30*time.Minute))
	if err := s.enforceRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d blocks after retention deleted the old traces, want 1", n)
	}
	if got := searchIDs(t, s, TraceQuery{Attributes: map[string]string{"service.name": "frontend"}}); len(got) != 200 {
		t.Errorf("%d traces of frontend after retention, want the 200 new ones", len(got))
	}
}

// TestAttrIndexTimeRange checks that a search from a time on skips the
// index blocks of traces that started before it.
func TestAttrIndexTimeRange(t *testing.T) {
	s := openTest(t, Options{})
	for i := range uint64(10) {
		mustAppend(t, s, loadTraces(rand.New(rand.NewPCG(i, i)), i*200, 200, 10, base.Add(time.Duration(i)*time.Hour)))
	}
	q := TraceQuery{Attributes: map[string]string{"service.name": "frontend"}, Start: base.Add(9 * time.Hour)}
	if got := searchIDs(t, s, q); len(got) != 200 {
		t.Fatalf("found %d traces of the last hour, want 200", len(got))
	}
	ctx := context.Background()
	for _, c := range []struct {
		from time.Time
		want int
	}{{time.Time{}, 2000}, {base.Add(9 * time.Hour), 200}, {base.Add(8*time.Hour + time.Minute), 200}, {base.Add(8 * time.Hour), 400}} {
		lo, _ := timeRange(c.from, time.Time{})
		cands, err := s.attrCandidates(ctx, attrGroups(q.Attributes), lo, s.stopper(ctx))
		if err != nil {
			t.Fatal(err)
		}
		if cands.n != c.want {
			t.Errorf("from %v: %d candidates, want %d (the traces of the blocks not before it)", c.from, cands.n, c.want)
		}
	}
}
