package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// discardSink stores nothing and keeps nothing, for fuzzing.
type discardSink struct{}

func (discardSink) AppendTraces(context.Context, ptrace.Traces) (int, string, error) {
	return 0, "", nil
}

func (discardSink) AppendLogs(context.Context, plog.Logs) (int, string, error) {
	return 0, "", nil
}

// fuzzContentTypes are the Content-Types a fuzz input picks from.
var fuzzContentTypes = []string{contentTypeProto, contentTypeJSON, "application/json; charset=utf-8", "text/plain"}

// Fuzz encodings: the body as is, gzipped, or claimed gzipped but not.
const (
	fuzzPlain = iota
	fuzzGzip
	fuzzFalseGzip
	numFuzzEncodings
)

// fuzzStatuses are the statuses an export may answer with here (the sink
// accepts everything at once, so 429, 500 and 503 cannot happen).
var fuzzStatuses = map[int]bool{200: true, 400: true, 413: true, 415: true}

// fuzzHTTP posts body to path through the handler, as mode says, and checks
// that the answer is documented and well formed.
func fuzzHTTP(t *testing.T, r *Receiver, path string, body []byte, mode uint8) {
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
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(sent))
	req.Header.Set("Content-Type", ct)
	if enc != fuzzPlain {
		req.Header.Set("Content-Encoding", "gzip")
	}
	w := httptest.NewRecorder()
	r.httpHandler().ServeHTTP(w, req)

	if !fuzzStatuses[w.Code] {
		t.Fatalf("status %d for %s %q (encoding %d): not a documented one; body %q", w.Code, ct, body, enc, w.Body.Bytes())
	}
	wantCT := responseEncoding(ct).contentType()
	if got := w.Header().Get("Content-Type"); got != wantCT {
		t.Fatalf("response Content-Type %q, want %q", got, wantCT)
	}
	respEnc := responseEncoding(ct)
	if w.Code != http.StatusOK {
		st := &spb.Status{}
		var err error
		if respEnc == encodingJSON {
			err = protojson.Unmarshal(w.Body.Bytes(), st)
		} else {
			err = proto.Unmarshal(w.Body.Bytes(), st)
		}
		if err != nil || st.GetMessage() == "" {
			t.Fatalf("status %d body is not a Status with a message: %v; %q", w.Code, err, w.Body.Bytes())
		}
		return
	}
	var resp codec = ptraceotlp.NewExportResponse()
	if path == pathLogs {
		resp = plogotlp.NewExportResponse()
	}
	if err := decode(resp, w.Body.Bytes(), respEnc); err != nil {
		t.Fatalf("200 body is not an export response: %v; %q", err, w.Body.Bytes())
	}
}

// fuzzReceiver is a receiver that is never started: the handler needs no
// listener. Small limits let inputs reach 413.
func fuzzReceiver(f *testing.F) *Receiver {
	cfg := DefaultConfig()
	cfg.MaxRequestBytes = 256 << 10
	cfg.MaxInFlightItems = 1000
	r, err := New(cfg, discardSink{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = r.Shutdown(context.Background()) })
	return r
}

// addSeeds adds each valid body with every content type and encoding, and a
// few invalid ones.
func addSeeds(f *testing.F, valid ...[]byte) {
	bodies := append(valid, nil, []byte("{}"), []byte("\x0a\x02\x0a\x00"), []byte("\xff\xff\xff\xff\x0f"), []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`))
	for _, b := range bodies {
		for mode := range len(fuzzContentTypes) * numFuzzEncodings {
			f.Add(b, uint8(mode))
		}
	}
}

func FuzzHTTPTraces(f *testing.F) {
	r := fuzzReceiver(f)
	addSeeds(f, tracesProto(f, 3), tracesJSON(f, 3), tracesProto(f, 1001))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		fuzzHTTP(t, r, pathTraces, body, mode)
	})
}

func FuzzHTTPLogs(f *testing.F) {
	r := fuzzReceiver(f)
	addSeeds(f, logsProto(f, 3), logsJSON(f, 3), logsProto(f, 1001))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		fuzzHTTP(t, r, pathLogs, body, mode)
	})
}
