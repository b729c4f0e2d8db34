package otlp

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
)

func tracesProto(t testing.TB, n int) []byte {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(sampleTraces(n)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tracesJSON(t testing.TB, n int) []byte {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(sampleTraces(n)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logsProto(t testing.TB, n int) []byte {
	t.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(sampleLogs(n)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logsJSON(t testing.TB, n int) []byte {
	t.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(sampleLogs(n)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHTTPRequests posts raw requests, good and bad, and checks the status,
// the Status message, the headers and the counters.
func TestHTTPRequests(t *testing.T) {
	const limit = 64 << 10
	cfg := testConfig()
	cfg.MaxRequestBytes = limit
	sink := newFakeSink()
	r := startReceiver(t, cfg, sink)

	zeros := make([]byte, 8<<20) // a gzip bomb: 8 MiB of zeros, ~8 KiB compressed
	tests := []struct {
		name       string
		method     string
		path       string
		ct, ce     string
		body       []byte
		chunked    bool
		wantStatus int
		wantMsg    string // in the Status message; "" for success
		wantCode   codes.Code
		wantHeader map[string]string
		reason     reason // counted refusal, for failures of a signal
		noCount    bool   // not counted as a refusal (404, 405, 501)
		logs       bool   // the counters to check are the logs'
		wantItems  int64  // items stored by a success
	}{
		{name: "protobuf traces", path: pathTraces, ct: contentTypeProto, body: tracesProto(t, 3), wantStatus: 200, wantItems: 3},
		{name: "JSON traces", path: pathTraces, ct: contentTypeJSON, body: tracesJSON(t, 2), wantStatus: 200, wantItems: 2},
		{name: "JSON with charset", path: pathTraces, ct: "application/json; charset=utf-8", body: tracesJSON(t, 1), wantStatus: 200, wantItems: 1},
		{name: "gzip protobuf logs", path: pathLogs, ct: contentTypeProto, ce: "gzip", body: gzipped(t, logsProto(t, 4)), wantStatus: 200, logs: true, wantItems: 4},
		{name: "gzip JSON logs chunked", path: pathLogs, ct: contentTypeJSON, ce: "gzip", body: gzipped(t, logsJSON(t, 2)), chunked: true, wantStatus: 200, logs: true, wantItems: 2},
		{name: "empty body is an empty request", path: pathTraces, ct: contentTypeProto, body: nil, wantStatus: 200},
		{name: "malformed protobuf", path: pathTraces, ct: contentTypeProto, body: []byte("\xff\xff\xff\xff"),
			wantStatus: 400, wantMsg: "decode traces protobuf: ", wantCode: codes.InvalidArgument, reason: reasonMalformed},
		{name: "truncated protobuf", path: pathLogs, ct: contentTypeProto, body: logsProto(t, 3)[:20],
			wantStatus: 400, wantMsg: "decode logs protobuf: ", wantCode: codes.InvalidArgument, reason: reasonMalformed, logs: true},
		{name: "malformed JSON", path: pathLogs, ct: contentTypeJSON, body: []byte(`{"resourceLogs": [`),
			wantStatus: 400, wantMsg: "decode logs JSON: ", wantCode: codes.InvalidArgument, reason: reasonMalformed, logs: true},
		{name: "not gzip", path: pathTraces, ct: contentTypeProto, ce: "gzip", body: tracesProto(t, 1),
			wantStatus: 400, wantMsg: "read gzip body: gzip: invalid header", wantCode: codes.InvalidArgument, reason: reasonMalformed},
		{name: "truncated gzip", path: pathTraces, ct: contentTypeProto, ce: "gzip", body: gzipped(t, tracesProto(t, 50))[:40],
			wantStatus: 400, wantMsg: "read gzip body: unexpected EOF", wantCode: codes.InvalidArgument, reason: reasonMalformed},
		{name: "wrong content type", path: pathTraces, ct: "text/plain", body: tracesProto(t, 1),
			wantStatus: 415, wantMsg: `unsupported Content-Type "text/plain"`, wantCode: codes.Unimplemented, reason: reasonUnsupportedMedia},
		{name: "no content type", path: pathLogs, body: logsProto(t, 1),
			wantStatus: 415, wantMsg: `unsupported Content-Type ""`, wantCode: codes.Unimplemented, reason: reasonUnsupportedMedia, logs: true},
		{name: "wrong encoding", path: pathTraces, ct: contentTypeJSON, ce: "br", body: tracesJSON(t, 1),
			wantStatus: 415, wantMsg: `unsupported Content-Encoding "br"`, wantCode: codes.Unimplemented, reason: reasonUnsupportedMedia,
			wantHeader: map[string]string{"Accept-Encoding": "gzip", "Content-Type": contentTypeJSON}},
		{name: "oversize", path: pathTraces, ct: contentTypeProto, body: make([]byte, 100<<10),
			wantStatus: 413, wantMsg: "body is 100 KiB, over the 64 KiB limit", wantCode: codes.ResourceExhausted, reason: reasonTooLarge},
		{name: "oversize chunked", path: pathTraces, ct: contentTypeProto, body: make([]byte, 100<<10), chunked: true,
			wantStatus: 413, wantMsg: "body is over the 64 KiB limit", wantCode: codes.ResourceExhausted, reason: reasonTooLarge},
		{name: "gzip bomb", path: pathLogs, ct: contentTypeProto, ce: "gzip", body: gzipped(t, zeros),
			wantStatus: 413, wantMsg: "gzip body decompresses to over the 64 KiB limit", wantCode: codes.ResourceExhausted, reason: reasonTooLarge, logs: true},
		{name: "GET", method: http.MethodGet, path: pathTraces,
			wantStatus: 405, wantMsg: "method GET not allowed on /v1/traces", wantCode: codes.Unimplemented, noCount: true,
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "unknown path", path: "/v1/spans", ct: contentTypeProto, body: tracesProto(t, 1),
			wantStatus: 404, wantMsg: `no OTLP endpoint at "/v1/spans"`, wantCode: codes.NotFound, noCount: true},
		{name: "metrics", path: pathMetrics, ct: contentTypeJSON, body: []byte(`{"resourceMetrics":[]}`),
			wantStatus: 501, wantMsg: "sightline does not accept metrics", wantCode: codes.Unimplemented, noCount: true,
			wantHeader: map[string]string{"Content-Type": contentTypeJSON}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Stats()
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			var res httpResult
			if method == http.MethodPost {
				var body = bytes.NewReader(tt.body)
				if tt.chunked {
					res = post(t, r, tt.path, tt.ct, tt.ce, unknownLength{body})
				} else {
					res = post(t, r, tt.path, tt.ct, tt.ce, body)
				}
			} else {
				res = get(t, r, tt.path)
			}
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %q", res.status, tt.wantStatus, res.body)
			}
			for k, v := range tt.wantHeader {
				if got := res.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			after := r.Stats()
			sigBefore, sigAfter := before.Traces, after.Traces
			if tt.logs {
				sigBefore, sigAfter = before.Logs, after.Logs
			}
			if tt.wantMsg == "" {
				checkSuccess(t, res, tt.ct)
				if got := sigAfter.StoredItems - sigBefore.StoredItems; got != tt.wantItems {
					t.Errorf("stored items +%d, want +%d", got, tt.wantItems)
				}
				return
			}
			st := res.rpcStatus(t)
			if !strings.Contains(st.GetMessage(), tt.wantMsg) {
				t.Errorf("Status message %q, want it to contain %q", st.GetMessage(), tt.wantMsg)
			}
			if codes.Code(st.GetCode()) != tt.wantCode {
				t.Errorf("Status code %v, want %v", codes.Code(st.GetCode()), tt.wantCode)
			}
			if tt.noCount {
				if d := sigAfter.RefusedRequests.Sum() - sigBefore.RefusedRequests.Sum(); d != 0 {
					t.Errorf("refused requests +%d, want +0", d)
				}
				return
			}
			if got := reasonCount(sigAfter.RefusedRequests, tt.reason) - reasonCount(sigBefore.RefusedRequests, tt.reason); got != 1 {
				t.Errorf("refused requests for %s +%d, want +1 (stats %+v)", tt.reason, got, sigAfter)
			}
			if got := sigAfter.Requests.HTTP - sigBefore.Requests.HTTP; got != 1 {
				t.Errorf("HTTP requests +%d, want +1", got)
			}
		})
	}
	st := r.Stats()
	if st.HTTPUnrouted != 2 || st.Metrics.Requests.HTTP != 1 {
		t.Errorf("unrouted %d, metrics %+v; want 2 and 1 HTTP request", st.HTTPUnrouted, st.Metrics)
	}
}

// checkSuccess checks a 200 answer: the response message in the request's
// encoding, with no partial success.
func checkSuccess(t *testing.T, res httpResult, requestCT string) {
	t.Helper()
	want := responseEncoding(requestCT).contentType()
	if ct := res.header.Get("Content-Type"); ct != want {
		t.Errorf("Content-Type %q, want %q", ct, want)
	}
	resp := ptraceotlp.NewExportResponse()
	if err := decode(resp, res.body, responseEncoding(requestCT)); err != nil {
		t.Fatalf("decode response %q: %v", res.body, err)
	}
	if ps := resp.PartialSuccess(); ps.RejectedSpans() != 0 || ps.ErrorMessage() != "" {
		t.Errorf("partial success %d %q on a full success", ps.RejectedSpans(), ps.ErrorMessage())
	}
}

func reasonCount(r Reasons, why reason) int64 {
	return [numReasons]int64{r.QueueFull, r.TooLarge, r.Malformed, r.UnsupportedMedia, r.SinkError, r.Canceled, r.Memory}[why]
}

func get(t *testing.T, r *Receiver, path string) httpResult {
	t.Helper()
	_, addr := r.Addrs()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return httpResult{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
}
