package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// logData appends 40 records: record i at base+i seconds, service
// svc(i%2), severity 1+i%24 ("level<sev>"), body "message i", in trace
// i%4 (none for i%4 == 3), span i%8; record 39 has a map body.
func logData(t *testing.T, s *Store) {
	ld := plog.NewLogs()
	var scopes [2]plog.LogRecordSlice
	for svc := range scopes {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc%d", svc))
		rl.SetSchemaUrl("https://example.com/schema")
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("logger")
		scopes[svc] = sl.LogRecords()
	}
	for i := range 40 {
		lr := scopes[i%2].AppendEmpty()
		lr.SetTimestamp(ts(base.Add(time.Duration(i) * time.Second)))
		lr.SetObservedTimestamp(ts(base.Add(time.Duration(i)*time.Second + time.Millisecond)))
		lr.SetSeverityNumber(plog.SeverityNumber(1 + i%24))
		lr.SetSeverityText(fmt.Sprintf("level%d", 1+i%24))
		lr.Body().SetStr(fmt.Sprintf("message %d", i))
		if i%4 != 3 {
			lr.SetTraceID(traceID(uint64(i % 4)))
			lr.SetSpanID(spanID(uint64(i % 8)))
		}
		lr.Attributes().PutInt("i", int64(i))
		lr.Attributes().PutEmptySlice("tags").AppendEmpty().SetStr("x")
		if i == 39 {
			m := lr.Body().SetEmptyMap()
			m.PutStr("event", "checkout failed")
			m.PutInt("code", 7)
		}
	}
	res, err := s.AppendLogs(context.Background(), ld)
	if err != nil || res.Accepted != 40 || res.Rejected != 0 {
		t.Fatalf("append logs: %+v, %v", res, err)
	}
}

func logNums(res LogSearch) []int {
	var out []int
	for _, l := range res.Logs {
		out = append(out, int((l.TimeUnixNano-base.UnixNano())/int64(time.Second)))
	}
	return out
}

func nums(keep func(int) bool) []int {
	var out []int
	for i := 39; i >= 0; i-- {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}

func TestSearchLogs(t *testing.T) {
	s := openTest(t, Options{})
	logData(t, s)
	tests := []struct {
		name string
		q    LogQuery
		want func(int) bool
	}{
		{"all", LogQuery{}, func(int) bool { return true }},
		{"trace", LogQuery{TraceID: hexID(traceID(1))}, func(i int) bool { return i%4 == 1 }},
		{"trace and span", LogQuery{TraceID: hexID(traceID(1)), SpanID: spanID(5).String()}, func(i int) bool { return i%8 == 5 }},
		{"span", LogQuery{SpanID: spanID(2).String()}, func(i int) bool { return i%8 == 2 }},
		{"service", LogQuery{Service: "svc1"}, func(i int) bool { return i%2 == 1 }},
		{"severity", LogQuery{MinSeverity: 20}, func(i int) bool { return 1+i%24 >= 20 }},
		{"text", LogQuery{Text: "message 1"}, func(i int) bool { return i == 1 || i >= 10 && i < 20 }},
		{"text in a map body", LogQuery{Text: "checkout failed"}, func(i int) bool { return i == 39 }},
		{"time range", LogQuery{Start: base.Add(5 * time.Second), End: base.Add(8 * time.Second)}, func(i int) bool { return i >= 5 && i < 8 }},
		{"combined", LogQuery{Service: "svc0", MinSeverity: 10, Text: "message"}, func(i int) bool { return i%2 == 0 && 1+i%24 >= 10 && i != 39 }},
		{"unknown service", LogQuery{Service: "nope"}, func(int) bool { return false }},
		{"unknown trace", LogQuery{TraceID: hexID(traceID(50))}, func(int) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.SearchLogs(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := logNums(res), nums(tc.want); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	res, err := s.SearchLogs(context.Background(), LogQuery{Limit: 2})
	if err != nil || len(res.Logs) != 2 {
		t.Fatal(res, err)
	}
	raw, _ := json.Marshal(res.Logs)
	for _, want := range []string{
		`"body":{"code":7,"event":"checkout failed"}`, `"body":"message 38"`, `"severity_text":"level16"`,
		`"attributes":{"i":39,"tags":["x"]}`, `"service":"svc1"`, `"service":"svc0"`, `"trace_id":""`,
		`"trace_id":"` + hexID(traceID(2)) + `"`, `"span_id":"` + spanID(6).String() + `"`,
		`"resource":{"attributes":{"service.name":"svc1"},"schema_url":"https://example.com/schema"}`,
		`"observed_unix_nano":` + fmt.Sprint(base.Add(39*time.Second+time.Millisecond).UnixNano()),
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("JSON lacks %s:\n%s", want, raw)
		}
	}
}

func TestSearchLogsPaging(t *testing.T) {
	s := openTest(t, Options{})
	logData(t, s)
	for _, q := range []LogQuery{{Limit: 7}, {Limit: 3, Service: "svc0"}, {Limit: 1, TraceID: hexID(traceID(2))}} {
		var got []int
		for {
			res, err := s.SearchLogs(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, logNums(res)...)
			if res.Cursor == "" {
				break
			}
			q.Cursor = res.Cursor
		}
		all, _ := s.SearchLogs(context.Background(), LogQuery{Service: q.Service, TraceID: q.TraceID})
		if want := logNums(all); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%+v: pages gave %v, want %v", q, got, want)
		}
	}
}

func TestLogTimes(t *testing.T) {
	now := base.Add(time.Hour)
	s := openSeams(t, Options{}, seams{now: func() time.Time { return now }})
	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	recs.AppendEmpty().SetObservedTimestamp(ts(base)) // no timestamp: the observed one
	recs.AppendEmpty()                                // neither: the time it was stored
	bad := recs.AppendEmpty()
	bad.SetTimestamp(pcommon.Timestamp(1 << 63))
	res, err := s.AppendLogs(context.Background(), ld)
	if err != nil || res.Accepted != 2 || res.RejectMessage != "1 log record rejected: 1 with a timestamp out of range" {
		t.Fatalf("%+v, %v", res, err)
	}
	got, err := s.SearchLogs(context.Background(), LogQuery{})
	if err != nil || len(got.Logs) != 2 {
		t.Fatal(got, err)
	}
	if got.Logs[0].TimeUnixNano != now.UnixNano() || got.Logs[1].TimeUnixNano != base.UnixNano() ||
		got.Logs[0].Service != unknownService || got.Logs[0].Body != nil {
		t.Errorf("%+v", got.Logs)
	}
	st, _ := s.Stats(context.Background())
	if st.Logs != 2 || st.OldestUnixNano != base.UnixNano() || st.NewestUnixNano != now.UnixNano() {
		t.Errorf("stats %+v", st)
	}

}
