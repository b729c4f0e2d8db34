package store

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// FuzzAnnouncement sends announcement records of fuzzed attributes and
// body through AppendLogs into a store, then reads back what was
// accepted: a record is rejected exactly when it cannot be read (with its
// reason), and an accepted one's span is found in its trace, as a page,
// as OTLP protobuf and through the changes of the trace, without an
// error. A panic anywhere fails it.
func FuzzAnnouncement(f *testing.F) {
	s := openTest(f, Options{MaxAnnouncementBytes: 64 << 10})
	open1, done1 := jsonOf(f, announceTD(1, false)), jsonOf(f, announceTD(1, true))
	for _, seed := range []struct {
		event, bodyType, freq string
		body                  string
		bytes                 bool
	}{
		{"heartbeat", "json/v1", "10000ms", open1, false},
		{"stop", "json/v1", "", done1, false},
		{"heartbeat", "proto", "1s", base64.StdEncoding.EncodeToString(protoOf(f, announceTD(1, false))), false},
		{"heartbeat", "", "", string(protoOf(f, announceTD(2, false))), true},
		{"span.state:heartbeat", "json/v1", "", pythonBody, false},
		{"span.state:ended", "json/v1", "", strings.Replace(pythonBody, `"status":{}`, `"endTimeUnixNano":"1767323046000000000"`, 1), false},
		{"heartbeat", "json/v1", "x", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`, false},
		{"heartbeat", "json/v1", "", strings.Repeat("[", 300), false},
		{"stop", "proto", "", "AAAA", false},
		{"heartbeat", "", "", "\x0a\x02\x0a\x00", true},
		{"nonsense", "json/v1", "", open1, false},
	} {
		f.Add(seed.event, seed.bodyType, seed.freq, []byte(seed.body), seed.bytes)
	}
	f.Fuzz(func(t *testing.T, event, bodyType, freq string, body []byte, asBytes bool) {
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		if state, ok := strings.CutPrefix(event, "span.state:"); ok {
			lr.Attributes().PutStr(attrSpanState, state)
			lr.Attributes().PutStr(attrLogBodyType, bodyType)
		} else {
			lr.Attributes().PutStr(attrPartialEvent, event)
			if bodyType != "" {
				lr.Attributes().PutStr(attrPartialBodyType, bodyType)
			}
		}
		if freq != "" {
			lr.Attributes().PutStr(attrPartialFrequency, freq)
		}
		if asBytes {
			lr.Body().SetEmptyBytes().FromRaw(body)
		} else {
			lr.Body().SetStr(string(body))
		}
		a, readErr := readAnnouncement(context.Background(), lr, 64<<10, nil)
		res, err := s.AppendLogs(context.Background(), ld)
		if err != nil {
			t.Fatal(err)
		}
		if readErr != nil {
			if res.Rejected != 1 || !strings.Contains(res.RejectMessage, readErr.Error()) {
				t.Fatalf("unreadable (%v), yet %+v", readErr, res)
			}
			return
		}
		if res.Rejected != 0 && strings.Contains(res.RejectMessage, "larger than 64 MiB") {
			return
		}
		if res.Rejected != 0 || res.Accepted != 1 {
			t.Fatalf("readable, yet %+v", res)
		}
		tid := hexID(a.span.TraceID())
		p, err := s.Trace(context.Background(), tid, Page{Limit: maxSpanLimit})
		if err != nil {
			t.Fatalf("trace of an accepted announcement: %v", err)
		}
		found := false
		for _, sp := range p.Spans {
			found = found || sp.SpanID == hexSpan(a.span.SpanID())
		}
		if !found {
			t.Fatalf("the announced span %s is not in its trace", hexSpan(a.span.SpanID()))
		}
		if _, err := s.TraceOTLPProto(context.Background(), tid); err != nil {
			t.Fatalf("OTLP: %v", err)
		}
		if _, err := s.TraceChanges(context.Background(), tid, p.Changes, 0); err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("changes: %v", err)
		}
	})
}
