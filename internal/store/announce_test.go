package store

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"
)

// announceRecord returns logs of one record with the given attributes
// (key, value, ...) and body, of a resource with service.name "logger".
func announceRecord(body func(pcommon.Value), attrs ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "logger")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(ts(base))
	for i := 0; i+1 < len(attrs); i += 2 {
		lr.Attributes().PutStr(attrs[i], attrs[i+1])
	}
	body(lr.Body())
	return ld
}

func strBody(s string) func(pcommon.Value) { return func(v pcommon.Value) { v.SetStr(s) } }

func protoOf(t testing.TB, td ptrace.Traces) []byte {
	t.Helper()
	b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pythonBody is a heartbeat body as the Python processors write it:
// protobuf's MessageToJson (camelCase, 64-bit integers as strings, enum
// names) with ids rewritten as hex without leading zeros.
const pythonBody = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py-scan"}}]},` +
	`"scopeSpans":[{"scope":{"name":"scan.py"},"spans":[{"traceId":"abcdef0123456789abcdef0123456","spanId":"abcdef012345",` +
	`"parentSpanId":"1","name":"count","kind":"SPAN_KIND_INTERNAL","startTimeUnixNano":"1767323045000000000",` +
	`"attributes":[{"key":"points","value":{"intValue":"40"}}],"status":{}}]}]}]}`

func TestAnnouncementVariants(t *testing.T) {
	open1 := announceTD(1, false)
	cases := []struct {
		name    string
		ld      plog.Logs
		service string
		state   string
		trace   string
		span    string
	}{
		{"json/v1", announceRecord(strBody(jsonOf(t, open1)), "partial.event", "heartbeat", "partial.frequency", "10000ms",
			"partial.body.type", "json/v1"), "scanner", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
		{"json, G-Research's first type name", announceRecord(strBody(jsonOf(t, open1)), "partial.event", "heartbeat",
			"partial.body.type", "json"), "scanner", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
		{"base64 proto", announceRecord(strBody(base64.StdEncoding.EncodeToString(protoOf(t, open1))), "partial.event", "heartbeat",
			"partial.frequency", "5000ms", "partial.body.type", "proto"), "scanner", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
		{"base64 proto, no body type", announceRecord(strBody(base64.StdEncoding.EncodeToString(protoOf(t, open1))),
			"partial.event", "heartbeat"), "scanner", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
		{"raw protobuf bytes", announceRecord(func(v pcommon.Value) { v.SetEmptyBytes().FromRaw(protoOf(t, open1)) },
			"partial.event", "heartbeat"), "scanner", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
		{"stop with the ended span", announceRecord(strBody(jsonOf(t, announceTD(1, true))), "partial.event", "stop",
			"partial.body.type", "json/v1"), "scanner", StateFinished, hexID(traceID(7)), hexSpan(spanID(1))},
		{"Python contrib: span.state heartbeat, unpadded hex ids", announceRecord(strBody(pythonBody), "span.state", "heartbeat",
			"log.body.type", "json/v1"), "py-scan", StateOpen, "000abcdef0123456789abcdef0123456", "0000abcdef012345"},
		{"resource of the record when the body has none", announceRecord(strBody(jsonOf(t, withoutResource(open1))),
			"partial.event", "heartbeat", "partial.body.type", "json/v1"), "logger", StateOpen, hexID(traceID(7)), hexSpan(spanID(1))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{})
			res, err := s.AppendLogs(context.Background(), tc.ld)
			if err != nil || res.Rejected != 0 || res.Accepted != 1 {
				t.Fatalf("append: %+v, %v", res, err)
			}
			p, err := s.Trace(context.Background(), tc.trace, Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Spans) != 1 || p.Spans[0].SpanID != tc.span || p.Spans[0].State != tc.state {
				t.Fatalf("spans %+v", p.Spans)
			}
			if got := p.Resources[0].Attributes["service.name"]; got != tc.service {
				t.Errorf("service %v, want %s", got, tc.service)
			}
			logs, err := s.SearchLogs(context.Background(), LogQuery{})
			if err != nil || len(logs.Logs) != 0 {
				t.Errorf("announcement stored as a log record too: %+v %v", logs.Logs, err)
			}
			if st, _ := s.Stats(context.Background()); st.Announcements != 1 || st.AnnouncementsRejected != 0 || st.Logs != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// announceTD is span n of traceID(7), of service "scanner", open or
// finished.
func announceTD(n int, finished bool) ptrace.Traces {
	td := spanTD(n, finished)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID(traceID(7))
	return td
}

func withoutResource(td ptrace.Traces) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	out.ResourceSpans().At(0).Resource().Attributes().Clear()
	return out
}

func jsonOf(t testing.TB, td ptrace.Traces) string {
	t.Helper()
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnnouncementRejected(t *testing.T) {
	two := announceTD(1, false)
	announceTD(2, false).ResourceSpans().MoveAndAppendTo(two.ResourceSpans())
	noID := announceTD(1, false)
	noID.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID(pcommon.TraceID{})
	good := jsonOf(t, announceTD(1, false))
	cases := []struct {
		name   string
		ld     plog.Logs
		reason string
	}{
		{"unknown partial.event", announceRecord(strBody(good), "partial.event", "begin"), "unknown partial.event"},
		{"unknown span.state", announceRecord(strBody(good), "span.state", "started", "log.body.type", "json/v1"), "unknown span.state"},
		{"unknown body type", announceRecord(strBody(good), "partial.event", "heartbeat", "partial.body.type", "xml"), "unknown body type"},
		{"map body", announceRecord(func(v pcommon.Value) { v.SetEmptyMap().PutStr("a", "b") }, "partial.event", "heartbeat"),
			"neither a string nor bytes"},
		{"too large", announceRecord(strBody(good+strings.Repeat(" ", 2048)), "partial.event", "heartbeat", "partial.body.type", "json/v1"),
			"larger than 1024 bytes"},
		{"not JSON", announceRecord(strBody(`{"resourceSpans": [}`), "partial.event", "heartbeat", "partial.body.type", "json/v1"),
			"not OTLP TracesData JSON"},
		{"nested too deep", announceRecord(strBody(strings.Repeat("[", 200)), "partial.event", "heartbeat", "partial.body.type", "json/v1"),
			"nests deeper than 160 JSON levels"},
		{"not base64", announceRecord(strBody("@@@"), "partial.event", "heartbeat", "partial.body.type", "proto"), "not base64"},
		{"not protobuf", announceRecord(func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xff, 0xff, 0xff}) }, "partial.event", "heartbeat"),
			"not OTLP TracesData protobuf"},
		{"no span", announceRecord(strBody(`{"resourceSpans":[]}`), "partial.event", "heartbeat", "partial.body.type", "json/v1"), "holds no span"},
		{"two spans", announceRecord(strBody(jsonOf(t, two)), "partial.event", "heartbeat", "partial.body.type", "json/v1"), "more than one span"},
		{"empty trace id", announceRecord(strBody(jsonOf(t, noID)), "partial.event", "heartbeat", "partial.body.type", "json/v1"), "empty trace id"},
		{"stop without end", announceRecord(strBody(good), "partial.event", "stop", "partial.body.type", "json/v1"), "without an end time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{MaxAnnouncementBytes: 1024})
			// An ordinary record beside it is stored.
			lr := tc.ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
			lr.Body().SetStr("an ordinary record")
			res, err := s.AppendLogs(context.Background(), tc.ld)
			if err != nil {
				t.Fatal(err)
			}
			if res.Accepted != 1 || res.Rejected != 1 || !strings.Contains(res.RejectMessage, tc.reason) {
				t.Errorf("result %+v, want 1 accepted and 1 rejected for %q", res, tc.reason)
			}
			st, err := s.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Traces != 0 || st.OpenSpans != 0 || st.Logs != 1 || st.Announcements != 1 || st.AnnouncementsRejected != 1 {
				t.Errorf("stats %+v: want nothing stored but the ordinary record, the rejection counted", st)
			}
		})
	}
}

func TestFrequencyOf(t *testing.T) {
	for _, tc := range []struct {
		v    func(pcommon.Map)
		want time.Duration
	}{
		{func(pcommon.Map) {}, DefaultHeartbeatInterval},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "10000ms") }, 10 * time.Second},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "2s") }, 2 * time.Second},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "2500") }, 2500 * time.Millisecond},
		{func(m pcommon.Map) { m.PutInt(attrPartialFrequency, 500) }, 500 * time.Millisecond},
		{func(m pcommon.Map) { m.PutDouble(attrPartialFrequency, 1.5) }, 10 * time.Millisecond},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "soon") }, DefaultHeartbeatInterval},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "-5s") }, DefaultHeartbeatInterval},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "1ns") }, minHeartbeatInterval},
		{func(m pcommon.Map) { m.PutStr(attrPartialFrequency, "1000h") }, maxHeartbeatInterval},
		{func(m pcommon.Map) { m.PutInt(attrPartialFrequency, 1<<62) }, maxHeartbeatInterval},
		{func(m pcommon.Map) { m.PutBool(attrPartialFrequency, true) }, DefaultHeartbeatInterval},
	} {
		m := pcommon.NewMap()
		tc.v(m)
		if got := frequencyOf(m); got != tc.want {
			t.Errorf("frequency of %v: %v, want %v", m.AsRaw(), got, tc.want)
		}
	}
}

func TestPadIDs(t *testing.T) {
	in := `{"traceId": "abc", "spanId":"1", "parentSpanId":"", "links":[{"trace_id":"ff","span_id":"0123456789abcdef"}], "name":"spanId"}`
	want := `{"traceId": "00000000000000000000000000000abc", "spanId":"0000000000000001", "parentSpanId":"", ` +
		`"links":[{"trace_id":"000000000000000000000000000000ff","span_id":"0123456789abcdef"}], "name":"spanId"}`
	got, ok := padIDs([]byte(in))
	if !ok || string(got) != want {
		t.Errorf("padIDs:\n got %s\nwant %s", got, want)
	}
	if _, ok := padIDs([]byte(`{"traceId":"not hex"}`)); ok {
		t.Error("padded a value that is not hex")
	}
}

// TestAnnouncementDecodeBudget: a body that would take more memory to
// decode than the store's budget is rejected before it is decoded; the
// budget makes other decodings wait, honouring their context.
func TestAnnouncementDecodeBudget(t *testing.T) {
	// A span of 1 MiB of empty attributes (2 bytes each in protobuf,
	// about 270 decoded): over 100 MiB decoded.
	tid, sid := traceID(9), spanID(9)
	sp := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), tid[:])
	sp = protowire.AppendBytes(protowire.AppendTag(sp, 2, protowire.BytesType), sid[:])
	for range 1 << 19 {
		sp = append(sp, 0x4a, 0x00) // Span.attributes (9): an empty KeyValue
	}
	ss := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), sp)
	rs := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), ss)
	body := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), rs)

	s := openTest(t, Options{MaxAnnouncementBytes: 2 << 20})
	res, err := s.AppendLogs(context.Background(), announceRecord(func(v pcommon.Value) { v.SetEmptyBytes().FromRaw(body) }, "partial.event", "heartbeat"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 1 || !strings.Contains(res.RejectMessage, "would take more than 32 MiB to decode") {
		t.Errorf("result %+v", res)
	}

	b := newDecodeBudget(100)
	if err := b.acquire(context.Background(), 80); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.acquire(ctx, 30); err == nil {
		t.Error("acquired past the budget")
	}
	done := make(chan error)
	go func() { done <- b.acquire(context.Background(), 30) }()
	b.release(80)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b.used != 30 {
		t.Errorf("%d bytes used, want 30", b.used)
	}
}
