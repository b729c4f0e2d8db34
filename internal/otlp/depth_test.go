package otlp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/jsondepth"
)

// nest makes v a value n containers deep, arrays or maps, around a string;
// with emptyInner the innermost container is empty instead.
func nest(v pcommon.Value, n int, maps, emptyInner bool) {
	for i := range n {
		last := i == n-1 && emptyInner
		if maps {
			m := v.SetEmptyMap()
			if last {
				return
			}
			v = m.PutEmpty("k")
		} else {
			s := v.SetEmptySlice()
			if last {
				return
			}
			v = s.AppendEmpty()
		}
	}
	v.SetStr("bottom")
}

// deepTraces is one span whose event has an attribute n containers deep:
// the most deeply placed attribute of a trace request.
func deepTraces(n int, maps bool) codec {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "deep")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	sp.SetName("deep")
	nest(sp.Events().AppendEmpty().Attributes().PutEmpty("deep"), n, maps, false)
	return ptraceotlp.NewExportRequestFromTraces(td)
}

// deepLogs is one log record whose body is n containers deep, the
// innermost empty: a body nests one level more than an attribute can.
func deepLogs(n int, maps bool) codec {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	nest(lr.Body(), n, maps, true)
	return plogotlp.NewExportRequestFromLogs(ld)
}

func marshal(t *testing.T, c codec, enc encoding) []byte {
	t.Helper()
	b, err := encode(c, enc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonDepth is how deeply b nests, by jsondepth.Check.
func jsonDepth(b []byte) int {
	d := 0
	for jsondepth.Check(b, d) != nil {
		d++
	}
	return d
}

// TestDepthProtobufAcceptedAsJSON finds, for the deepest places of a trace
// and a logs request and both kinds of container, the deepest request that
// pdata's protobuf decoder accepts, and checks that the receiver accepts it
// as protobuf (HTTP and gRPC) and as JSON (pdata's own JSON of it), and
// refuses one level more as protobuf with a message that says the limit,
// counted as malformed. The deepest JSON is 159 levels: within
// jsondepth.OTLP, as its documentation says.
func TestDepthProtobufAcceptedAsJSON(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlightItems = 10
	r, ends := startReceiverEnds(t, cfg, newFakeSink())
	conn := dial(t, r)
	ctx := context.Background()

	tests := []struct {
		name   string
		sig    signal
		build  func(n int, maps bool) codec
		maps   bool
		method string
		path   string
	}{
		{"event attribute, arrays", signalTraces, deepTraces, false, methodTraces, pathTraces},
		{"event attribute, maps", signalTraces, deepTraces, true, methodTraces, pathTraces},
		{"log body, arrays", signalLogs, deepLogs, false, methodLogs, pathLogs},
		{"log body, maps", signalLogs, deepLogs, true, methodLogs, pathLogs},
	}
	deepest := 0
	malformed := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 1
			for tt.build(n+1, tt.maps).UnmarshalProto(marshal(t, tt.build(n+1, tt.maps), encodingProto)) == nil {
				n++
				if n > 1000 {
					t.Fatal("pdata's protobuf decoder accepts 1000 levels: no limit")
				}
			}
			accepted, over := tt.build(n, tt.maps), tt.build(n+1, tt.maps)

			asJSON := marshal(t, accepted, encodingJSON)
			d := jsonDepth(asJSON)
			deepest = max(deepest, d)
			t.Logf("%d containers accepted as protobuf; %d JSON levels", n, d)
			for _, enc := range []encoding{encodingProto, encodingJSON} {
				res := post(t, r, tt.path, enc.contentType(), "", bytes.NewReader(marshal(t, accepted, enc)))
				if res.status != 200 {
					t.Errorf("deepest accepted, as %s: status %d %q, want 200", enc, res.status, res.body)
				}
			}
			if err := invokeRaw(ctx, conn, tt.method, marshal(t, accepted, encodingProto)); err != nil {
				t.Errorf("deepest accepted, over gRPC: %v", err)
			}
			waitEnd(t, ends)

			want := "decode " + tt.sig.String() + " protobuf: values nest deeper than the limit of 100 protobuf messages"
			res := post(t, r, tt.path, contentTypeProto, "", bytes.NewReader(marshal(t, over, encodingProto)))
			if msg := res.rpcStatus(t).GetMessage(); res.status != 400 || !strings.HasPrefix(msg, want) {
				t.Errorf("one level more over HTTP: %d %q, want 400 %q", res.status, msg, want)
			}
			err := invokeRaw(ctx, conn, tt.method, marshal(t, over, encodingProto))
			waitEnd(t, ends)
			if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.HasPrefix(st.Message(), want) {
				t.Errorf("one level more over gRPC: %v %q, want InvalidArgument %q", st.Code(), st.Message(), want)
			}
			malformed += 2
		})
	}
	if deepest != 159 || deepest > jsondepth.OTLP {
		t.Errorf("the deepest JSON of an accepted protobuf request nests %d levels; jsondepth.OTLP (%d) documents 159", deepest, jsondepth.OTLP)
	}
	s := r.Stats()
	if got := s.Traces.RefusedRequests.Malformed + s.Logs.RefusedRequests.Malformed; got != int64(malformed) {
		t.Errorf("malformed requests %d, want %d", got, malformed)
	}
}

// spanWithUnknown is a trace request whose span has an unknown member "x"
// of n nested arrays, which pdata skips: the span itself nests 7 levels,
// so the request nests 7+n.
func spanWithUnknown(n int) []byte {
	return []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"deep"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"x","x":` +
		strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}]}]}`)
}

// deepAttribute is a trace request whose span has an attribute nesting n
// arrays: 8+3n levels (the crash was n = 1,000,000).
func deepAttribute(n int) []byte {
	return []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"x","attributes":[{"key":"deep","value":` +
		strings.Repeat(`{"arrayValue":{"values":[`, n) + `{"stringValue":"x"}` + strings.Repeat(`]}}`, n) + `}]}]}]}]}`)
}

// TestJSONDepthLimit: a JSON body that nests jsondepth.OTLP levels is
// accepted; one level more, or a million, is refused with 400 before it is
// decoded, with a message that names the limit, counted as malformed.
func TestJSONDepthLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 32 << 20
	cfg.MaxInFlightBytes = 64 << 20
	sink := newFakeSink()
	r := startReceiver(t, cfg, sink)

	const refused = "decode traces JSON: JSON nests deeper than the limit of 160 levels (level 161 opens at byte "
	tests := []struct {
		name    string
		body    []byte
		status  int
		message string
	}{
		{"at the limit", spanWithUnknown(jsondepth.OTLP - 7), 200, ""},
		{"one level over", spanWithUnknown(jsondepth.OTLP - 7 + 1), 400, refused},
		{"a million levels", deepAttribute(1_000_000), 400, refused},
		{"a million levels, gzipped", gzipped(t, deepAttribute(1_000_000)), 400, refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := ""
			if strings.Contains(tt.name, "gzip") {
				ce = "gzip"
			}
			before := r.Stats().Traces
			res := post(t, r, pathTraces, contentTypeJSON, ce, bytes.NewReader(tt.body))
			if res.status != tt.status {
				t.Fatalf("status %d %q, want %d", res.status, res.body, tt.status)
			}
			after := r.Stats().Traces
			if tt.status == 200 {
				if after.StoredItems != before.StoredItems+1 {
					t.Errorf("stored %d spans, want 1", after.StoredItems-before.StoredItems)
				}
				return
			}
			if msg := res.rpcStatus(t).GetMessage(); !strings.HasPrefix(msg, tt.message) {
				t.Errorf("message %q, want it to start with %q", msg, tt.message)
			}
			if after.RefusedRequests.Malformed != before.RefusedRequests.Malformed+1 || after.ReceivedItems != before.ReceivedItems {
				t.Errorf("counters %+v -> %+v: want one more malformed request and nothing received", before, after)
			}
		})
	}
	if got := len(sink.gotSpans()); got != 1 {
		t.Errorf("the sink got %d spans, want 1 (only the request at the limit)", got)
	}
	if got := r.Stats().InFlightBytes; got != 0 {
		t.Errorf("in-flight bytes %d after every request ended, want 0", got)
	}
}

// TestDecodeFailureMessages: the messages of decoding failures name the
// signal and encoding, and the depth limits when they are the cause.
func TestDecodeFailureMessages(t *testing.T) {
	depthErr := jsondepth.Check([]byte("[[["), 2)
	tests := []struct {
		sig  signal
		enc  encoding
		err  error
		want string
	}{
		{signalTraces, encodingJSON, depthErr, "decode traces JSON: JSON nests deeper than the limit of 2 levels (level 3 opens at byte 2)"},
		{signalLogs, encodingProto, errors.New("proto: exceeded max recursion depth"), "decode logs protobuf: values nest deeper than the limit of 100 protobuf messages: proto: exceeded max recursion depth"},
		{signalTraces, encodingProto, errors.New("proto: illegal wireType 7"), "decode traces protobuf: proto: illegal wireType 7"},
	}
	for _, tt := range tests {
		e := decodeFailure(tt.sig, tt.enc, tt.err)
		if e.msg != tt.want || e.kind != failMalformed || e.why != reasonMalformed || !errors.Is(e, tt.err) {
			t.Errorf("decodeFailure(%v, %v, %v) = %q (kind %d, why %v), want %q, malformed, wrapping the cause", tt.sig, tt.enc, tt.err, e.msg, e.kind, e.why, tt.want)
		}
	}
}

// BenchmarkDeepJSONRefused measures the refusal of the body (an
// attribute nesting arrays a million levels deep, 28 MB) through the
// OTLP/HTTP handler: reading the body and the depth check, no decoding.
func BenchmarkDeepJSONRefused(b *testing.B) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 32 << 20
	r, err := New(cfg, newFakeSink())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = r.Shutdown(context.Background()) }()
	body := deepAttribute(1_000_000)
	h := r.httpHandler()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, pathTraces, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentTypeJSON)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest {
			b.Fatalf("status %d", w.Code)
		}
	}
}
