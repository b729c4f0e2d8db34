package sightlinetest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestHTTPErrors checks the answers to requests the receiver cannot take:
// sightline's receiver's answers (internal/otlp's table), every error a
// google.rpc.Status in the request's encoding (protobuf when it is not
// known).
func TestHTTPErrors(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		encoding    string
		body        []byte
		wantStatus  int
		wantType    string // response Content-Type
		wantText    string // in the Status message, or the plain text body
		wantHeader  [2]string
		wantFailed  bool // counted as a failed request
	}{
		{
			name: "GET", method: http.MethodGet, path: "/v1/traces", contentType: "application/x-protobuf",
			wantStatus: http.StatusMethodNotAllowed, wantType: "application/x-protobuf", wantText: "method GET not allowed",
			wantHeader: [2]string{"Allow", "POST"},
		},
		{
			name: "text content type", method: http.MethodPost, path: "/v1/traces", contentType: "text/plain",
			body: []byte("hello"), wantStatus: http.StatusUnsupportedMediaType, wantType: "application/x-protobuf",
			wantText: `unsupported Content-Type "text/plain"`, wantFailed: true,
		},
		{
			name: "no content type", method: http.MethodPost, path: "/v1/logs",
			body: []byte("hello"), wantStatus: http.StatusUnsupportedMediaType, wantType: "application/x-protobuf",
			wantText: `unsupported Content-Type ""`, wantFailed: true,
		},
		{
			name: "garbage protobuf", method: http.MethodPost, path: "/v1/traces", contentType: "application/x-protobuf",
			body: []byte{0x0a, 0xff}, wantStatus: http.StatusBadRequest, wantType: "application/x-protobuf",
			wantText: "decode traces protobuf: ", wantFailed: true,
		},
		{
			name: "garbage json", method: http.MethodPost, path: "/v1/logs", contentType: "application/json",
			body: []byte(`{"resourceLogs": [`), wantStatus: http.StatusBadRequest, wantType: "application/json",
			wantText: "decode logs JSON: ", wantFailed: true,
		},
		{
			name: "not gzip", method: http.MethodPost, path: "/v1/traces", contentType: "application/json", encoding: "gzip",
			body: []byte(`{"resourceSpans": []}`), wantStatus: http.StatusBadRequest, wantType: "application/json",
			wantText: "read gzip body: gzip: invalid header", wantFailed: true,
		},
		{
			name: "brotli", method: http.MethodPost, path: "/v1/traces", contentType: "application/json", encoding: "br",
			body: []byte(`{}`), wantStatus: http.StatusUnsupportedMediaType, wantType: "application/json",
			wantText: `unsupported Content-Encoding "br"`, wantHeader: [2]string{"Accept-Encoding", "gzip"}, wantFailed: true,
		},
		{
			name: "metrics", method: http.MethodPost, path: "/v1/metrics", contentType: "application/x-protobuf",
			wantStatus: http.StatusNotImplemented, wantType: "application/x-protobuf", wantText: "does not accept metrics",
		},
		{
			name: "unknown path", method: http.MethodPost, path: "/v1/spans", contentType: "application/json",
			wantStatus: http.StatusNotFound, wantType: "application/json", wantText: `no OTLP endpoint at "/v1/spans"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, failedBefore := recv.Requests()
			resp := post(t, tt.method, recv.HTTPEndpoint()+tt.path, tt.contentType, tt.encoding, tt.body)
			if resp.status != tt.wantStatus {
				t.Errorf("status %d, want %d (body %q)", resp.status, tt.wantStatus, resp.body)
			}
			if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
			}
			if tt.wantHeader[0] != "" {
				if got := resp.header.Get(tt.wantHeader[0]); got != tt.wantHeader[1] {
					t.Errorf("%s: %q, want %q", tt.wantHeader[0], got, tt.wantHeader[1])
				}
			}
			if msg := errorText(t, resp); !strings.Contains(msg, tt.wantText) {
				t.Errorf("error text %q does not contain %q", msg, tt.wantText)
			}
			_, failed := recv.Requests()
			if got := failed - failedBefore; got != map[bool]int{true: 1}[tt.wantFailed] {
				t.Errorf("failed requests +%d, want counted=%v", got, tt.wantFailed)
			}
		})
	}
	if n := len(recv.Spans()) + len(recv.Logs()); n != 0 {
		t.Errorf("bad requests recorded %d items", n)
	}
	if ok, _ := recv.Requests(); ok != 0 {
		t.Errorf("ok requests %d, want 0", ok)
	}
}

// TestHTTPDecompressedTooLarge sends a small gzip body that inflates past
// the 64 MiB cap: 65 gzip members of 1 MiB of zeros each, which a gzip
// reader reads as one stream.
//
// Inflating 64 MiB takes seconds under -race, hence Parallel and the -short
// skip.
func TestHTTPDecompressedTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 64 MiB")
	}
	t.Parallel()
	recv := sightlinetest.NewReceiver(t)
	member := gzipped(t, make([]byte, 1<<20))
	var buf bytes.Buffer
	for range 65 {
		buf.Write(member)
	}
	resp := post(t, http.MethodPost, recv.HTTPEndpoint()+"/v1/traces", "application/x-protobuf", "gzip", buf.Bytes())
	if resp.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.status)
	}
	if msg := errorText(t, resp); !strings.Contains(msg, "over the 64 MiB limit") {
		t.Errorf("error text %q", msg)
	}
}

// TestHTTPEmptyProtobuf checks that an empty (valid) protobuf request gets a
// protobuf response.
func TestHTTPEmptyProtobuf(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	resp := post(t, http.MethodPost, recv.HTTPEndpoint()+"/v1/logs", "application/x-protobuf", "", nil)
	if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("status %d, Content-Type %q", resp.status, resp.header.Get("Content-Type"))
	}
	if ok, failed := recv.Requests(); ok != 1 || failed != 0 {
		t.Errorf("Requests() = %d, %d; want 1, 0", ok, failed)
	}
}

// errorText returns the message of the google.rpc.Status in an error
// response, decoded as its Content-Type says, or the plain text body.
func errorText(t *testing.T, resp response) string {
	t.Helper()
	var st spb.Status
	switch resp.header.Get("Content-Type") {
	case "application/x-protobuf":
		if err := proto.Unmarshal(resp.body, &st); err != nil {
			t.Fatalf("response %q is not a protobuf Status: %v", resp.body, err)
		}
	case "application/json":
		if err := protojson.Unmarshal(resp.body, &st); err != nil {
			t.Fatalf("response %q is not a JSON Status: %v", resp.body, err)
		}
	default:
		b, _ := io.ReadAll(bytes.NewReader(resp.body))
		return string(b)
	}
	if st.GetCode() == int32(codes.OK) {
		t.Errorf("Status code OK in error response %q", resp.body)
	}
	return st.GetMessage()
}
