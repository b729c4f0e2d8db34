package otlp_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
)

// The fuzz targets post what the fuzzer makes to the receiver's OTLP/HTTP
// handler, which stores what decodes in a real store, then read every
// trace and log record of an accepted request back through the store's
// queries: a trace by id as JSON (the query API's shape) and as OTLP, and
// log records by trace id. So they reach the store's encoder and decoders,
// not only pdata's.

// storeSink is the store as the receiver's sink.
type storeSink struct{ st *store.Store }

func (s storeSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	res, err := s.st.AppendTraces(ctx, td)
	return res.Rejected, res.RejectMessage, err
}

func (s storeSink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	res, err := s.st.AppendLogs(ctx, ld)
	return res.Rejected, res.RejectMessage, err
}

// fuzzContentTypes are the Content-Types a fuzz input picks from.
var fuzzContentTypes = []string{"application/x-protobuf", "application/json", "application/json; charset=utf-8", "text/plain"}

// Fuzz encodings: the body as is, gzipped, or claimed gzipped but not.
const (
	fuzzPlain = iota
	fuzzGzip
	fuzzFalseGzip
	numFuzzEncodings
)

// fuzzStatuses are the answers an export may get here: the store takes
// everything at once (no 429 or 503), and must never fail (500: it
// panicked; 503: it returned an error).
var fuzzStatuses = map[int]bool{200: true, 400: true, 413: true, 415: true}

// fuzzStoreTimeout bounds one request, the store's work included.
const fuzzStoreTimeout = 10 * time.Second

// fuzzTarget is a receiver storing into a store of its own.
type fuzzTarget struct {
	rcv     *otlp.Receiver
	handler http.Handler
	st      *store.Store
}

// newFuzzTarget opens a store in a temporary directory and a receiver
// (never started: the handler needs no listener) with small limits, so
// that inputs reach 413.
func newFuzzTarget(f testing.TB) *fuzzTarget {
	st, err := store.Open(context.Background(), f.TempDir(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	cfg := otlp.DefaultConfig()
	cfg.MaxRequestBytes = 256 << 10
	cfg.MaxInFlightBytes = 256 << 10
	cfg.MaxInFlightItems = 1000
	r, err := otlp.New(cfg, storeSink{st})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		_ = r.Shutdown(context.Background())
		if err := st.Close(context.Background()); err != nil {
			f.Error(err)
		}
	})
	return &fuzzTarget{rcv: r, handler: r.HTTPHandler(), st: st}
}

// post sends body to path as mode says (content type and encoding), checks
// that the answer is documented and well formed, and returns the status
// and, for a 200, the request's payload as decoded and the export
// response.
func (ft *fuzzTarget) post(t *testing.T, path string, body []byte, mode uint8) (status int, payload []byte, jsonEnc bool, resp []byte) {
	ct := fuzzContentTypes[int(mode)%len(fuzzContentTypes)]
	enc := int(mode) / len(fuzzContentTypes) % numFuzzEncodings
	sent := body
	if enc == fuzzGzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		sent = buf.Bytes()
	}
	// A store that takes this long on one request has hung: the sink's
	// context ends, the answer is 503, and the input is reported.
	ctx, cancel := context.WithTimeout(context.Background(), fuzzStoreTimeout)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(sent))
	req.Header.Set("Content-Type", ct)
	if enc != fuzzPlain {
		req.Header.Set("Content-Encoding", "gzip")
	}
	w := httptest.NewRecorder()
	ft.handler.ServeHTTP(w, req)

	jsonEnc = strings.HasPrefix(ct, "application/json")
	if !fuzzStatuses[w.Code] {
		t.Fatalf("status %d for %s %q (encoding %d): not a documented one; body %q", w.Code, ct, body, enc, w.Body.Bytes())
	}
	wantCT := "application/x-protobuf"
	if jsonEnc {
		wantCT = "application/json"
	}
	if got := w.Header().Get("Content-Type"); got != wantCT {
		t.Fatalf("response Content-Type %q, want %q", got, wantCT)
	}
	if w.Code != http.StatusOK {
		st := &spb.Status{}
		var err error
		if jsonEnc {
			err = protojson.Unmarshal(w.Body.Bytes(), st)
		} else {
			err = proto.Unmarshal(w.Body.Bytes(), st)
		}
		if err != nil || st.GetMessage() == "" {
			t.Fatalf("status %d body is not a Status with a message: %v; %q", w.Code, err, w.Body.Bytes())
		}
		return w.Code, nil, jsonEnc, nil
	}
	return w.Code, body, jsonEnc, w.Body.Bytes()
}

// checkTraces reads back every trace of an accepted request: as JSON and as
// OTLP, each must be found (unless the store rejected spans) and hold at
// least the request's distinct spans of that trace.
func (ft *fuzzTarget) checkTraces(t *testing.T, payload []byte, jsonEnc bool, respBody []byte) {
	req, resp := ptraceotlp.NewExportRequest(), ptraceotlp.NewExportResponse()
	unmarshalBoth(t, req, resp, payload, respBody, jsonEnc)
	partial := resp.PartialSuccess().RejectedSpans() > 0
	spans := map[pcommon.TraceID]map[pcommon.SpanID]bool{}
	for _, rs := range req.Traces().ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if spans[sp.TraceID()] == nil {
					spans[sp.TraceID()] = map[pcommon.SpanID]bool{}
				}
				spans[sp.TraceID()][sp.SpanID()] = true
			}
		}
	}
	ctx := context.Background()
	checked := 0
	for tid, ids := range spans {
		if tid.IsEmpty() {
			continue
		}
		if checked++; checked > 4 {
			break
		}
		id := tid.String()
		page, err := ft.st.Trace(ctx, id, store.Page{Limit: 10000})
		if errors.Is(err, store.ErrNotFound) && partial {
			continue
		}
		if err != nil {
			t.Fatalf("trace %s of an accepted request (partial %v): %v", id, partial, err)
		}
		if _, err := json.Marshal(page); err != nil {
			t.Fatalf("trace %s as JSON: %v", id, err)
		}
		td, err := ft.st.TraceOTLP(ctx, id)
		if err != nil {
			t.Fatalf("trace %s as OTLP: %v", id, err)
		}
		if !partial && td.SpanCount() < len(ids) {
			t.Fatalf("trace %s: the store holds %d spans, the request had %d", id, td.SpanCount(), len(ids))
		}
		out := ptraceotlp.NewExportRequestFromTraces(td)
		if _, err := out.MarshalProto(); err != nil {
			t.Fatalf("trace %s as OTLP protobuf: %v", id, err)
		}
		if _, err := out.MarshalJSON(); err != nil {
			t.Fatalf("trace %s as OTLP JSON: %v", id, err)
		}
	}
}

// checkLogs reads back the log records of an accepted request by trace id,
// as the query API serves them.
func (ft *fuzzTarget) checkLogs(t *testing.T, payload []byte, jsonEnc bool, respBody []byte) {
	req, resp := plogotlp.NewExportRequest(), plogotlp.NewExportResponse()
	unmarshalBoth(t, req, resp, payload, respBody, jsonEnc)
	partial := resp.PartialSuccess().RejectedLogRecords() > 0
	queries := []store.LogQuery{{Limit: 10}} // the newest, whatever their trace
	seen := map[pcommon.TraceID]bool{}
	for _, rl := range req.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if tid := lr.TraceID(); !tid.IsEmpty() && !seen[tid] && len(queries) < 5 {
					seen[tid] = true
					queries = append(queries, store.LogQuery{TraceID: tid.String(), Limit: 1000})
				}
			}
		}
	}
	for _, q := range queries {
		res, err := ft.st.SearchLogs(context.Background(), q)
		if err != nil {
			t.Fatalf("logs %+v of an accepted request: %v", q, err)
		}
		if q.TraceID != "" && len(res.Logs) == 0 && !partial {
			t.Fatalf("logs of trace %s: none found, the request had some", q.TraceID)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("logs %+v as JSON: %v", q, err)
		}
	}
}

type unmarshaler interface {
	UnmarshalProto([]byte) error
	UnmarshalJSON([]byte) error
}

// unmarshalBoth decodes the accepted request and its response: both must
// decode, as the receiver decoded the one and encoded the other.
func unmarshalBoth(t *testing.T, req, resp unmarshaler, payload, respBody []byte, jsonEnc bool) {
	t.Helper()
	var err, rerr error
	if jsonEnc {
		err, rerr = req.UnmarshalJSON(payload), resp.UnmarshalJSON(respBody)
	} else {
		err, rerr = req.UnmarshalProto(payload), resp.UnmarshalProto(respBody)
	}
	if err != nil || rerr != nil {
		t.Fatalf("accepted request decodes with %v, its response with %v (%q)", err, rerr, respBody)
	}
}

// seedTraces is spans valid spans over three traces, each with attrs
// attributes and an event whose attribute nests deep arrays.
func seedTraces(spans, attrs int, deep int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "fuzz")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range spans {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(fmt.Sprintf("span-%d", i))
		sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(i%3 + 1)})
		sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, byte(i >> 8), byte(i + 1)})
		sp.SetStartTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + i))
		sp.SetEndTimestamp(pcommon.Timestamp(1_700_000_000_000_001_000 + i))
		for a := range attrs {
			sp.Attributes().PutInt(fmt.Sprintf("a%d", a), int64(a))
		}
		ev := sp.Events().AppendEmpty()
		ev.SetName("ev")
		v := ev.Attributes().PutEmpty("deep")
		for range deep {
			v = v.SetEmptySlice().AppendEmpty()
		}
		v.SetDouble(1.5)
	}
	return td
}

// seedLogs is records log records over three traces, each with a body
// that nests deep maps.
func seedLogs(records, deep int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "fuzz")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range records {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTraceID(pcommon.TraceID{9, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(i%3 + 1)})
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		v := lr.Body()
		for range deep {
			v = v.SetEmptyMap().PutEmpty("k")
		}
		v.SetStr(fmt.Sprintf("log-%d", i))
	}
	return ld
}

type marshaler interface {
	MarshalProto() ([]byte, error)
	MarshalJSON() ([]byte, error)
}

// both returns m as protobuf and as JSON.
func both(f testing.TB, m marshaler) [][]byte {
	p, err := m.MarshalProto()
	if err != nil {
		f.Fatal(err)
	}
	j, err := m.MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{p, j}
}

// addSeeds adds each body with every content type and encoding: the valid
// ones given, and malformed and deep ones.
func addSeeds(f *testing.F, valid ...[]byte) {
	bodies := append(valid, nil, []byte("{}"), []byte("\x0a\x02\x0a\x00"), []byte("\xff\xff\xff\xff\x0f"),
		[]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`),
		[]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"\ud800"}}]}]}]}`),
		[]byte(strings.Repeat("[", 200)+strings.Repeat("]", 200)),
		[]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","attributes":[{"key":"d","value":`+
			strings.Repeat(`{"arrayValue":{"values":[`, 60)+`{"intValue":"1"}`+strings.Repeat(`]}}`, 60)+`}]}]}]}]}`),
	)
	for _, b := range bodies {
		for mode := range len(fuzzContentTypes) * numFuzzEncodings {
			f.Add(b, uint8(mode))
		}
	}
}

func FuzzHTTPTraces(f *testing.F) {
	ft := newFuzzTarget(f)
	var seeds [][]byte
	for _, td := range []ptrace.Traces{seedTraces(3, 2, 1), seedTraces(1, 3000, 0), seedTraces(1, 1, 49), seedTraces(1, 1, 50), seedTraces(1001, 0, 0)} {
		seeds = append(seeds, both(f, ptraceotlp.NewExportRequestFromTraces(td))...)
	}
	addSeeds(f, seeds...)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		status, payload, jsonEnc, resp := ft.post(t, "/v1/traces", body, mode)
		if status == http.StatusOK {
			ft.checkTraces(t, payload, jsonEnc, resp)
		}
	})
}

func FuzzHTTPLogs(f *testing.F) {
	ft := newFuzzTarget(f)
	var seeds [][]byte
	for _, ld := range []plog.Logs{seedLogs(3, 1), seedLogs(1, 33), seedLogs(1, 34), seedLogs(1001, 0)} {
		seeds = append(seeds, both(f, plogotlp.NewExportRequestFromLogs(ld))...)
	}
	addSeeds(f, seeds...)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		status, payload, jsonEnc, resp := ft.post(t, "/v1/logs", body, mode)
		if status == http.StatusOK {
			ft.checkLogs(t, payload, jsonEnc, resp)
		}
	})
}

// TestFuzzHarnessStores checks that the harness reaches the store: a seed
// of each signal, as protobuf and JSON, is stored, and its traces and log
// records are found again through the queries.
func TestFuzzHarnessStores(t *testing.T) {
	ft := newFuzzTarget(t)
	traces, logs := both(t, ptraceotlp.NewExportRequestFromTraces(seedTraces(3, 2, 1))), both(t, plogotlp.NewExportRequestFromLogs(seedLogs(3, 1)))
	for i, mode := range []uint8{0, 1} { // protobuf, then JSON
		if status, payload, jsonEnc, resp := ft.post(t, "/v1/traces", traces[i], mode); status != 200 {
			t.Fatalf("traces, mode %d: status %d", mode, status)
		} else {
			ft.checkTraces(t, payload, jsonEnc, resp)
		}
		if status, payload, jsonEnc, resp := ft.post(t, "/v1/logs", logs[i], mode); status != 200 {
			t.Fatalf("logs, mode %d: status %d", mode, status)
		} else {
			ft.checkLogs(t, payload, jsonEnc, resp)
		}
	}
	st, err := ft.st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Spans != 3 || st.Logs != 6 {
		t.Errorf("the store holds %d spans and %d logs, want 3 (sent twice, kept once) and 6", st.Spans, st.Logs)
	}
}
