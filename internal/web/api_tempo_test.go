package web

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"
)

// TestTempoProtobuf decodes the answers as Grafana's Tempo data source
// does: /api/traces as a tempopb.Trace (wire-identical to OTLP
// TracesData), /api/v2/traces as a TraceByIDResponse whose field 1 is the
// Trace.
func TestTempoProtobuf(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, path := range []string{"/api/traces/", "/api/v2/traces/"} {
		resp, body := get(t, srv, path+cartHex+"?start=1700000000&end=1700003600", "Accept", "application/protobuf")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/protobuf" {
			t.Fatalf("%s: %d %v %s", path, resp.StatusCode, resp.Header, body)
		}
		if strings.Contains(path, "v2") {
			num, typ, n := protowire.ConsumeTag(body)
			if num != 1 || typ != protowire.BytesType {
				t.Fatalf("v2: first field %d type %d", num, typ)
			}
			inner, m := protowire.ConsumeBytes(body[n:])
			if m < 0 || n+m != len(body) {
				t.Fatalf("v2: field 1 is not the whole message (%d+%d of %d)", n, m, len(body))
			}
			body = inner
		}
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if td.SpanCount() != 2 || td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SpanID() != cartRoot {
			t.Errorf("%s: %d spans", path, td.SpanCount())
		}
	}
}

func TestTempoJSON(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	var v1 struct {
		Batches []json.RawMessage `json:"batches"`
	}
	getJSON(t, srv, "/api/traces/"+cartHex, 200, &v1)
	if len(v1.Batches) != 1 {
		t.Fatalf("v1: %d batches", len(v1.Batches))
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(`{"resourceSpans":[` + string(v1.Batches[0]) + `]}`))
	if err != nil || td.SpanCount() != 2 {
		t.Fatalf("v1: %v, %d spans", err, td.SpanCount())
	}
	var v2 struct {
		Trace json.RawMessage `json:"trace"`
	}
	getJSON(t, srv, "/api/v2/traces/"+cartHex, 200, &v2)
	if td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(v2.Trace); err != nil || td.SpanCount() != 2 {
		t.Fatalf("v2: %v, %d spans", err, td.SpanCount())
	}

	// Short ids are left-padded, as Tempo does; upper case is fine.
	getJSON(t, srv, "/api/traces/123456789ABCDEF0", 200, &v1)
	getJSON(t, srv, "/api/traces/"+moveHex, 200, &v1)
	var e apiErr
	getJSON(t, srv, "/api/traces/"+unknownHex, 404, &e)
	getJSON(t, srv, "/api/v2/traces/"+unknownHex, 404, &e)
	if e.Field != "trace_id" || !strings.Contains(e.Error, "not found") {
		t.Errorf("404: %+v", e)
	}

	resp, body := get(t, srv, "/api/echo")
	if resp.StatusCode != 200 || string(body) != "echo" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("echo: %d %q", resp.StatusCode, body)
	}
}

func TestWantsProtobuf(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                     false,
		"application/json":     false,
		"application/protobuf": true,
		"application/json, application/x-protobuf;q=0.5": true,
		"*/*": false,
	} {
		if got := wantsProtobuf(accept); got != want {
			t.Errorf("%q: %v", accept, got)
		}
	}
}
