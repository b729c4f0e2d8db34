package otlp

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// costCase is a request shape whose decoding allocates much or little per
// byte.
type costCase struct {
	name  string
	logs  bool
	items int
	build func(n int) []byte // n: how many of the repeated part
}

func tracesWith(n int, fill func(n int, spans ptrace.SpanSlice)) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "cost")
	fill(n, rs.ScopeSpans().AppendEmpty().Spans())
	b, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	return b
}

func oneSpan(n int, fill func(n int, sp ptrace.Span)) []byte {
	return tracesWith(n, func(n int, spans ptrace.SpanSlice) { fill(n, spans.AppendEmpty()) })
}

var costCases = []costCase{
	{"empty spans", false, -1, func(n int) []byte {
		return tracesWith(n, func(n int, spans ptrace.SpanSlice) {
			for range n {
				spans.AppendEmpty()
			}
		})
	}},
	{"typical spans", false, -1, func(n int) []byte {
		return tracesWith(n, func(n int, spans ptrace.SpanSlice) {
			for i := range n {
				sp := spans.AppendEmpty()
				sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
				sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i)})
				sp.SetName("move motor")
				for _, k := range []string{"device", "target", "unit", "group", "plan"} {
					sp.Attributes().PutStr(k, "bl12/motor/1")
				}
				sp.Attributes().PutDouble("position", 1.5)
				sp.Events().AppendEmpty().SetName("settled")
			}
		})
	}},
	{"empty attributes", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) {
			raw := make(map[string]any, n)
			for i := range n {
				raw[strconv.Itoa(i)] = nil
			}
			_ = sp.Attributes().FromRaw(raw)
		})
	}},
	{"empty events", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) {
			for range n {
				sp.Events().AppendEmpty()
			}
		})
	}},
	{"empty links", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) {
			for range n {
				sp.Links().AppendEmpty()
			}
		})
	}},
	{"array elements", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) {
			s := sp.Attributes().PutEmptySlice("a")
			for range n {
				s.AppendEmpty()
			}
		})
	}},
	{"key-value list entries", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) {
			raw := make(map[string]any, n)
			for i := range n {
				raw[strconv.Itoa(i)] = nil
			}
			_ = sp.Attributes().PutEmptyMap("m").FromRaw(raw)
		})
	}},
	{"one long string", false, 1, func(n int) []byte {
		return oneSpan(n, func(n int, sp ptrace.Span) { sp.Attributes().PutStr("s", strings.Repeat("x", 64*n)) })
	}},
	{"empty log records", true, -1, func(n int) []byte {
		ld := plog.NewLogs()
		recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for range n {
			recs.AppendEmpty()
		}
		b, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		return b
	}},
	{"log bodies", true, -1, func(n int) []byte {
		ld := plog.NewLogs()
		recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for i := range n {
			lr := recs.AppendEmpty()
			lr.Body().SetStr("scan point done")
			lr.Attributes().PutInt("point", int64(i))
		}
		b, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		return b
	}},
}

// allocated returns the bytes decoding b allocates.
func allocated(t *testing.T, b []byte, logs bool) int64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var err error
	if logs {
		req := plogotlp.NewExportRequest()
		err = req.UnmarshalProto(b)
		runtime.KeepAlive(req)
	} else {
		req := ptraceotlp.NewExportRequest()
		err = req.UnmarshalProto(b)
		runtime.KeepAlive(req)
	}
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// TestCostBoundsDecoding: for request shapes that make pdata allocate much
// per byte (empty spans, attributes, events, links, array elements, list
// entries, log records) and little (long strings, typical spans), the cost
// counted before decoding is at least what decoding allocates, and not
// absurdly more; the items counted are the request's.
func TestCostBoundsDecoding(t *testing.T) {
	const n = 20000
	for _, c := range costCases {
		t.Run(c.name, func(t *testing.T) {
			b := c.build(n)
			sig := signalTraces
			if c.logs {
				sig = signalLogs
			}
			got, err := protoCost(b, sig)
			if err != nil {
				t.Fatal(err)
			}
			alloc := allocated(t, b, c.logs)
			ratio := float64(got.bytes) / float64(alloc)
			t.Logf("%d bytes of protobuf: cost %d, decoding allocated %d (x%.2f), %.0f bytes of cost per byte", len(b), got.bytes, alloc, ratio, float64(got.bytes)/float64(len(b)))
			if got.bytes < alloc || ratio > 3 {
				t.Errorf("cost %d for %d bytes allocated: want at least that and at most 3 times it", got.bytes, alloc)
			}
			wantItems := c.items
			if wantItems < 0 {
				wantItems = n
			}
			if got.items != wantItems {
				t.Errorf("items %d, want %d", got.items, wantItems)
			}
		})
	}
}

// emptySpans is a traces request of n empty spans, 2 bytes each: the
// cheapest request to send for what it makes pdata allocate.
func emptySpans(n int) []byte {
	spans := make([]byte, 0, 2*n)
	for range n {
		spans = append(spans, 0x12, 0x00) // ScopeSpans.spans (2), empty
	}
	scope := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), spans) // ResourceSpans.scope_spans
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), scope)   // request.resource_spans
}

// TestCheapRequestRefusedBeforeDecoding: a request that is small on the
// wire but would decode into far more than MaxInFlightBytes (here 1 MiB of
// empty spans, which pdata would turn into about 130 MiB) is refused as too
// large before it is decoded, over both transports, and so is one with more
// items than MaxInFlightItems; neither makes the receiver allocate what
// decoding would have.
func TestCheapRequestRefusedBeforeDecoding(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 2 << 20
	cfg.MaxInFlightBytes = 32 << 20
	cfg.MaxInFlightItems = 1 << 30
	sink := newFakeSink()
	r := startReceiver(t, cfg, sink)
	conn := dial(t, r)
	spans := emptySpans(512 << 10) // 512Ki empty spans, 1 MiB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(spans))
	err := invokeRaw(context.Background(), conn, methodTraces, spans)
	runtime.ReadMemStats(&after)
	if res.status != http.StatusRequestEntityTooLarge || res.header.Get("Retry-After") != "" ||
		!strings.Contains(res.rpcStatus(t).GetMessage(), "to decode, beside its own 1.0 MiB, over the limit of 32 MiB of requests in flight") {
		t.Errorf("HTTP: %d %q, want 413 naming the decoding cost and the limit", res.status, res.rpcStatus(t).GetMessage())
	}
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != -1 {
		t.Errorf("gRPC: %v %q RetryInfo %v, want ResourceExhausted without RetryInfo", st.Code(), st.Message(), retryInfo(st))
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("refusing two 1 MiB requests allocated %d MiB: they were decoded", grew>>20)
	}
	s := r.Stats().Traces
	if s.RefusedRequests.TooLarge != 2 || s.RefusedItems.TooLarge != 2*512<<10 || len(sink.gotSpans()) != 0 {
		t.Errorf("stats %+v, %d spans stored: want 2 requests of 512Ki spans refused as too large", s, len(sink.gotSpans()))
	}
	checkBalance(t, s)

	// Too many items: refused before decoding too.
	r2 := startReceiver(t, testConfig(), newFakeSink()) // 100,000 items
	tooMany := emptySpans(100_001)
	if res := post(t, r2, pathTraces, contentTypeProto, "", bytes.NewReader(tooMany)); res.status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(res.rpcStatus(t).GetMessage(), "request carries 100001 spans, over the limit of 100000 in flight") {
		t.Errorf("100,001 spans: %d %q, want 413 naming the count", res.status, res.rpcStatus(t).GetMessage())
	}
}

// TestCostErrors: what pdata cannot decode is refused by the walk too, and
// valid requests of every shape walk without error.
func TestCostErrors(t *testing.T) {
	valid := costCases[1].build(3)
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"truncated", valid[:len(valid)-3]},
		{"bad tag", []byte{0x00}},
		{"length past the end", []byte{0x0a, 0x7f, 0x01}},
		{"bad varint", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	} {
		if _, err := protoCost(tt.b, signalTraces); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
		if err := ptraceotlp.NewExportRequest().UnmarshalProto(tt.b); err == nil {
			t.Errorf("%s: pdata decodes it: the walk must not be stricter", tt.name)
		}
	}
	for _, c := range costCases {
		sig := signalTraces
		if c.logs {
			sig = signalLogs
		}
		if _, err := protoCost(c.build(3), sig); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// BenchmarkCost compares walking a request of 1,000 typical spans for its
// cost with decoding it: the walk is what every request now pays first.
func BenchmarkCost(b *testing.B) {
	body := costCases[1].build(1000)
	b.Run("walk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := protoCost(body, signalTraces); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := ptraceotlp.NewExportRequest().UnmarshalProto(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzCost: the walk never panics, accepts whatever pdata's decoder
// accepts (it must not refuse valid data), and counts the items pdata
// decodes.
func FuzzCost(f *testing.F) {
	for _, c := range costCases {
		f.Add(c.build(3), c.logs)
	}
	f.Add(emptySpans(10), false)
	f.Add([]byte{0x0a, 0x7f, 0x01}, false)
	f.Fuzz(func(t *testing.T, b []byte, logs bool) {
		sig := signalTraces
		if logs {
			sig = signalLogs
		}
		c, err := protoCost(b, sig)
		items, decodeErr := 0, error(nil)
		if logs {
			req := plogotlp.NewExportRequest()
			decodeErr = req.UnmarshalProto(b)
			items = req.Logs().LogRecordCount()
		} else {
			req := ptraceotlp.NewExportRequest()
			decodeErr = req.UnmarshalProto(b)
			items = req.Traces().SpanCount()
		}
		if decodeErr != nil {
			return
		}
		if err != nil {
			t.Fatalf("pdata decodes %x, the walk refuses it: %v", b, err)
		}
		if c.items != items {
			t.Fatalf("the walk counts %d items, pdata decodes %d", c.items, items)
		}
	})
}

// TestTracesDataCost: the exported estimate is the request's, for
// protobuf and JSON, and refuses what the decoders would.
func TestTracesDataCost(t *testing.T) {
	pb := costCases[1].build(20) // typical spans
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(pb); err != nil {
		t.Fatal(err)
	}
	if got, err := TracesDataCost(pb, false); err != nil || got != costOf(t, pb, signalTraces) {
		t.Errorf("protobuf: %d, %v; want %d", got, err, costOf(t, pb, signalTraces))
	}
	js, err := req.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := TracesDataCost(js, true); err != nil || got < int64(len(js)) {
		t.Errorf("JSON: %d, %v", got, err)
	}
	if _, err := TracesDataCost([]byte(strings.Repeat("[", 200)), true); err == nil {
		t.Error("JSON nested 200 deep accepted")
	}
	if _, err := TracesDataCost([]byte{0x0a, 0x7f}, false); err == nil {
		t.Error("truncated protobuf accepted")
	}
}
