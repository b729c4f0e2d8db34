package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// newSpan appends a valid span of trace 1 to td, in a resource of
// service "svc" and scope "scope" (created with the first span).
func newSpan(td ptrace.Traces) ptrace.Span {
	if td.ResourceSpans().Len() == 0 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "svc")
		rs.ScopeSpans().AppendEmpty().Scope().SetName("scope")
	}
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	sp := spans.AppendEmpty()
	sp.SetTraceID(traceID(1))
	sp.SetSpanID(spanID(uint64(spans.Len())))
	sp.SetName("op")
	sp.SetStartTimestamp(ts(base))
	sp.SetEndTimestamp(ts(base.Add(1000)))
	return sp
}

// newLog appends a log record to ld, in a resource of service "svc".
func newLog(ld plog.Logs) plog.LogRecord {
	if ld.ResourceLogs().Len() == 0 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "svc")
		rl.ScopeLogs().AppendEmpty()
	}
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	lr.SetTimestamp(ts(base))
	return lr
}

// putN puts n string attributes k0=v0 ... into m.
func putN(m pcommon.Map, n int) {
	for i := range n {
		m.PutStr(fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i))
	}
}

// keys is m's keys in order.
func keys(m pcommon.Map) string {
	var ks []string
	m.Range(func(k string, _ pcommon.Value) bool {
		ks = append(ks, k)
		return true
	})
	return strings.Join(ks, ",")
}

// TestIngestLimits stores items past each limit (3 attributes, 8 value
// bytes, 2 events, 2 links) and reads them back as OTLP or JSON: the
// first items are kept, the rest added to the item's dropped count,
// strings cut at a UTF-8 boundary, and every cut counted in Stats.
func TestIngestLimits(t *testing.T) {
	lim := Options{MaxAttributes: 3, MaxValueBytes: 8, MaxEvents: 2, MaxLinks: 2}
	type counts struct{ truncated, attrs, events, links int64 }
	tests := []struct {
		name  string
		spans func(td ptrace.Traces)
		logs  func(ld plog.Logs)
		check func(t *testing.T, sp ptrace.Span, rs ptrace.ResourceSpans, lr LogRecord)
		want  counts
	}{
		{name: "within the limits", spans: func(td ptrace.Traces) {
			sp := newSpan(td)
			putN(sp.Attributes(), 1)
			sp.Attributes().PutStr("s", "12345678")
			sp.Attributes().PutStr("é", "abcdefé") // 8 bytes
			sp.Events().AppendEmpty()
			sp.Events().AppendEmpty()
			sp.Links().AppendEmpty()
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			v, _ := sp.Attributes().Get("é")
			if keys(sp.Attributes()) != "k0,s,é" || v.Str() != "abcdefé" || sp.DroppedAttributesCount() != 0 ||
				sp.Events().Len() != 2 || sp.Links().Len() != 1 {
				t.Errorf("attributes %s (%d dropped), %d events, %d links", keys(sp.Attributes()), sp.DroppedAttributesCount(), sp.Events().Len(), sp.Links().Len())
			}
		}},
		{name: "span attributes", spans: func(td ptrace.Traces) {
			sp := newSpan(td)
			putN(sp.Attributes(), 5)
			sp.SetDroppedAttributesCount(1)
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			if keys(sp.Attributes()) != "k0,k1,k2" || sp.DroppedAttributesCount() != 3 {
				t.Errorf("attributes %s, %d dropped; want k0,k1,k2 and 1+2", keys(sp.Attributes()), sp.DroppedAttributesCount())
			}
		}, want: counts{attrs: 2}},
		{name: "event attributes", spans: func(td ptrace.Traces) {
			putN(newSpan(td).Events().AppendEmpty().Attributes(), 5)
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			ev := sp.Events().At(0)
			if keys(ev.Attributes()) != "k0,k1,k2" || ev.DroppedAttributesCount() != 2 {
				t.Errorf("event attributes %s, %d dropped", keys(ev.Attributes()), ev.DroppedAttributesCount())
			}
		}, want: counts{attrs: 2}},
		{name: "link attributes", spans: func(td ptrace.Traces) {
			l := newSpan(td).Links().AppendEmpty()
			putN(l.Attributes(), 4)
			l.SetDroppedAttributesCount(7)
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			l := sp.Links().At(0)
			if keys(l.Attributes()) != "k0,k1,k2" || l.DroppedAttributesCount() != 8 {
				t.Errorf("link attributes %s, %d dropped", keys(l.Attributes()), l.DroppedAttributesCount())
			}
		}, want: counts{attrs: 1}},
		{name: "resource attributes", spans: func(td ptrace.Traces) {
			newSpan(td)
			putN(td.ResourceSpans().At(0).Resource().Attributes(), 4)
		}, check: func(t *testing.T, _ ptrace.Span, rs ptrace.ResourceSpans, _ LogRecord) {
			r := rs.Resource()
			if keys(r.Attributes()) != "service.name,k0,k1" || r.DroppedAttributesCount() != 2 {
				t.Errorf("resource attributes %s, %d dropped", keys(r.Attributes()), r.DroppedAttributesCount())
			}
		}, want: counts{attrs: 2}},
		{name: "scope attributes", spans: func(td ptrace.Traces) {
			newSpan(td)
			putN(td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Attributes(), 5)
		}, check: func(t *testing.T, _ ptrace.Span, rs ptrace.ResourceSpans, _ LogRecord) {
			sc := rs.ScopeSpans().At(0).Scope()
			if keys(sc.Attributes()) != "k0,k1,k2" || sc.DroppedAttributesCount() != 2 {
				t.Errorf("scope attributes %s, %d dropped", keys(sc.Attributes()), sc.DroppedAttributesCount())
			}
		}, want: counts{attrs: 2}},
		{name: "nested list", spans: func(td ptrace.Traces) {
			putN(newSpan(td).Attributes().PutEmptyMap("m"), 5)
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			m, _ := sp.Attributes().Get("m")
			if keys(m.Map()) != "k0,k1,k2" || sp.DroppedAttributesCount() != 2 {
				t.Errorf("list entries %s, span's dropped attributes %d", keys(m.Map()), sp.DroppedAttributesCount())
			}
		}, want: counts{attrs: 2}},
		{name: "events", spans: func(td ptrace.Traces) {
			sp := newSpan(td)
			for i := range 5 {
				sp.Events().AppendEmpty().SetName(fmt.Sprint(i))
			}
			sp.SetDroppedEventsCount(1)
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			if evs := sp.Events(); evs.Len() != 2 || evs.At(0).Name() != "0" || evs.At(1).Name() != "1" || sp.DroppedEventsCount() != 4 {
				t.Errorf("%d events, %d dropped", evs.Len(), sp.DroppedEventsCount())
			}
		}, want: counts{events: 3}},
		{name: "links", spans: func(td ptrace.Traces) {
			sp := newSpan(td)
			for i := range 3 {
				sp.Links().AppendEmpty().SetSpanID(spanID(uint64(100 + i)))
			}
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			if ls := sp.Links(); ls.Len() != 2 || ls.At(1).SpanID() != spanID(101) || sp.DroppedLinksCount() != 1 {
				t.Errorf("%d links, %d dropped", ls.Len(), sp.DroppedLinksCount())
			}
		}, want: counts{links: 1}},
		{name: "long strings", spans: func(td ptrace.Traces) {
			a := newSpan(td).Attributes().PutEmptySlice("a")
			for _, s := range []string{
				"abcdefghij",
				"abcdefgé", // é is bytes 7-8: cut before it
				"abcdef€x", // € is bytes 6-8
				"abcd😀",    // 😀 is bytes 4-7: it fits
				"abcdef😀",  // 😀 is bytes 6-9
			} {
				a.AppendEmpty().SetStr(s)
			}
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			a, _ := sp.Attributes().Get("a")
			for i, want := range []string{"abcdefgh", "abcdefg", "abcdef", "abcd😀", "abcdef"} {
				if got := a.Slice().At(i).Str(); got != want || !utf8.ValidString(got) {
					t.Errorf("string %d: %q, want %q", i, got, want)
				}
			}
		}, want: counts{truncated: 4}},
		{name: "bytes and arrays", spans: func(td ptrace.Traces) {
			sp := newSpan(td)
			sp.Attributes().PutEmptyBytes("b").FromRaw([]byte("0123456789"))
			arr := sp.Attributes().PutEmptySlice("arr")
			for range 10 {
				arr.AppendEmpty().SetStr("0123456789")
			}
		}, check: func(t *testing.T, sp ptrace.Span, _ ptrace.ResourceSpans, _ LogRecord) {
			b, _ := sp.Attributes().Get("b")
			arr, _ := sp.Attributes().Get("arr")
			if string(b.Bytes().AsRaw()) != "01234567" || arr.Slice().Len() != 10 || arr.Slice().At(9).Str() != "01234567" {
				t.Errorf("bytes %q, array %s", b.Bytes().AsRaw(), arr.AsString())
			}
		}, want: counts{truncated: 11}},
		{name: "log attributes", logs: func(ld plog.Logs) {
			lr := newLog(ld)
			putN(lr.Attributes(), 5)
			lr.SetDroppedAttributesCount(1)
		}, check: func(t *testing.T, _ ptrace.Span, _ ptrace.ResourceSpans, lr LogRecord) {
			if len(lr.Attributes) != 3 || lr.Attributes["k2"] != "v2" || lr.DroppedAttributes != 3 {
				t.Errorf("attributes %v, %d dropped", lr.Attributes, lr.DroppedAttributes)
			}
		}, want: counts{attrs: 2}},
		{name: "log body string", logs: func(ld plog.Logs) {
			newLog(ld).Body().SetStr("abcdefgé")
		}, check: func(t *testing.T, _ ptrace.Span, _ ptrace.ResourceSpans, lr LogRecord) {
			if lr.Body != "abcdefg" {
				t.Errorf("body %q", lr.Body)
			}
		}, want: counts{truncated: 1}},
		{name: "log body list", logs: func(ld plog.Logs) {
			m := newLog(ld).Body().SetEmptyMap()
			m.PutStr("long", "0123456789")
			putN(m, 4)
		}, check: func(t *testing.T, _ ptrace.Span, _ ptrace.ResourceSpans, lr LogRecord) {
			body, _ := lr.Body.(map[string]any)
			if len(body) != 3 || body["long"] != "01234567" || body["k1"] != "v1" || lr.DroppedAttributes != 2 {
				t.Errorf("body %v, %d dropped", lr.Body, lr.DroppedAttributes)
			}
		}, want: counts{truncated: 1, attrs: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, lim)
			ctx := context.Background()
			var sp ptrace.Span
			var rs ptrace.ResourceSpans
			var lr LogRecord
			if tc.spans != nil {
				td := ptrace.NewTraces()
				tc.spans(td)
				if res := mustAppend(t, s, td); res.Accepted != 1 {
					t.Fatalf("append: %+v", res)
				}
				got, err := s.TraceOTLP(ctx, hexID(traceID(1)))
				if err != nil {
					t.Fatal(err)
				}
				rs = got.ResourceSpans().At(0)
				sp = rs.ScopeSpans().At(0).Spans().At(0)
			}
			if tc.logs != nil {
				ld := plog.NewLogs()
				tc.logs(ld)
				if res, err := s.AppendLogs(ctx, ld); err != nil || res.Accepted != 1 {
					t.Fatalf("append: %+v, %v", res, err)
				}
				got, err := s.SearchLogs(ctx, LogQuery{})
				if err != nil || len(got.Logs) != 1 {
					t.Fatalf("search: %d records, %v", len(got.Logs), err)
				}
				lr = got.Logs[0]
			}
			tc.check(t, sp, rs, lr)
			st, err := s.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := (counts{st.TruncatedValues, st.DroppedAttributes, st.DroppedEvents, st.DroppedLinks}); got != tc.want || st.DeepValues != 0 {
				t.Errorf("stats count %+v (%d deep), want %+v", got, st.DeepValues, tc.want)
			}
		})
	}
}

func TestTruncUTF8(t *testing.T) {
	f := func(s string, n int, want string) {
		t.Helper()
		if got := truncUTF8(s, n); got != want {
			t.Errorf("truncUTF8(%q, %d) = %q, want %q", s, n, got, want)
		}
	}
	f("", 0, "")
	f("abc", 3, "abc")
	f("abc", 2, "ab")
	f("é", 1, "")
	f("aé", 2, "a")
	f("😀", 3, "")
	f("a😀b", 5, "a😀")
	f("\xff\xff\xff\xff\xff", 2, "\xff\xff") // not UTF-8: cut where asked
	f("a\x80\x80\x80\x80", 4, "a")           // stray continuation bytes: at most three skipped
	f("\x80\x80\x80\x80\x80", 4, "\x80")
}
