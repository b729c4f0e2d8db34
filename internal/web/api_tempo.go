package web

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sightline-dev/sightline/internal/httpjson"
)

// Tempo compatibility: the endpoints Grafana's Tempo data source calls to
// open a trace by id and to test the data source, so that a Tempo data
// source whose URL is sightline's UI address shows sightline's traces.
// docs/api.md lists the sources followed:
//
//   - Grafana's Tempo data source GETs /api/v2/traces/<id> with
//     Accept: application/protobuf and decodes a tempopb.TraceByIDResponse
//     (its field 1 is a tempopb.Trace); on a 404 it falls back to
//     /api/traces/<id> and decodes a bare tempopb.Trace. Both carry
//     ?start=&end= (unix seconds) from the dashboard's time range.
//   - tempopb.Trace is `repeated ResourceSpans = 1`, the same wire format
//     as OTLP's TracesData, which pdata's ProtoMarshaler writes.
//   - Without that Accept header Tempo answers JSON: /api/traces/<id> a
//     Trace whose resource spans are under "batches" (the shape Grafana's
//     trace upload also reads), /api/v2/traces/<id> {"trace": {...}}.
//   - GET /api/echo answers 200 "echo": Grafana's "Test" button.
//   - Tempo accepts any hex trace id up to 32 digits, left-padding shorter
//     ones with zeros (64-bit Jaeger ids, and Tempo's own ids printed
//     without leading zeros).

// tempoTrace answers GET /api/traces/{trace_id}, Tempo's trace by id (v1).
func (a *api) tempoTrace(w http.ResponseWriter, r *http.Request) error {
	return a.tempo(w, r, false)
}

// tempoTraceV2 answers GET /api/v2/traces/{trace_id}, Tempo's v2.
func (a *api) tempoTraceV2(w http.ResponseWriter, r *http.Request) error {
	return a.tempo(w, r, true)
}

// tempoEcho answers GET /api/echo as Tempo does: 200, "echo".
func (a *api) tempoEcho(w http.ResponseWriter, _ *http.Request) error {
	httpjson.WriteBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte("echo"))
	return nil
}

func (a *api) tempo(w http.ResponseWriter, r *http.Request, v2 bool) error {
	id, err := tempoTraceID(r.PathValue("trace_id"))
	if err != nil {
		return err
	}
	// start and end (and Tempo's other parameters) narrow where Tempo
	// looks for the trace; the store finds it by id, so they are ignored.
	w.Header().Add("Vary", "Accept")
	if wantsProtobuf(r.Header.Get("Accept")) {
		// The store writes the OTLP protobuf itself: no pdata between.
		b, err := a.st.TraceOTLPProto(r.Context(), id)
		if err != nil {
			return traceError(id, err)
		}
		if err := clientGone(r); err != nil {
			return err
		}
		if v2 {
			// TraceByIDResponse{trace = 1}: the Trace as field 1.
			b = protowire.AppendBytes(protowire.AppendTag(make([]byte, 0, len(b)+12), 1, protowire.BytesType), b)
		}
		httpjson.WriteBody(w, http.StatusOK, "application/protobuf", b)
		return nil
	}
	td, err := a.st.TraceOTLP(r.Context(), id)
	if err != nil {
		return traceError(id, err)
	}
	if err := clientGone(r); err != nil {
		return err
	}
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		return fmt.Errorf("trace %s: encode OTLP-JSON: %w", id, err)
	}
	if v2 {
		b = append(append([]byte(`{"trace":`), b...), '}')
	} else if b, err = renameResourceSpans(b, "batches"); err != nil {
		return fmt.Errorf("trace %s: %w", id, err)
	}
	if err := clientGone(r); err != nil {
		return err
	}
	httpjson.WriteBody(w, http.StatusOK, "application/json", b)
	return nil
}

// tempoTraceID parses a trace id as Tempo does: 1 to 32 hex digits, either
// case, left-padded with zeros.
func tempoTraceID(s string) (string, error) {
	const allowed = "1 to 32 hex digits (shorter ids are left-padded with zeros, as Tempo does), not all zero"
	b, err := hex.DecodeString(strings.Repeat("0", 32-min(len(s), 32)) + s)
	switch {
	case len(s) == 0 || len(s) > 32:
		return "", badParam("trace_id", s, allowed, "%d characters", len(s))
	case err != nil:
		return "", badParam("trace_id", s, allowed, "not hex")
	case allZero(b):
		return "", badParam("trace_id", s, allowed, "all zero")
	}
	return hex.EncodeToString(b), nil
}

// wantsProtobuf reports whether an Accept header asks for protobuf.
func wantsProtobuf(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/protobuf" || mt == "application/x-protobuf") {
			return true
		}
	}
	return false
}

// renameResourceSpans turns pdata's OTLP-JSON {"resourceSpans": [...]}
// into {key: [...]}.
func renameResourceSpans(b []byte, key string) ([]byte, error) {
	var td struct {
		ResourceSpans json.RawMessage `json:"resourceSpans"`
	}
	if err := json.Unmarshal(b, &td); err != nil {
		return nil, fmt.Errorf("re-encode OTLP-JSON: %w", err)
	}
	if td.ResourceSpans == nil {
		td.ResourceSpans = json.RawMessage("[]")
	}
	k, _ := json.Marshal(key) // a string: cannot fail
	out := make([]byte, 0, len(td.ResourceSpans)+len(k)+3)
	out = append(append(append(append(out, '{'), k...), ':'), td.ResourceSpans...)
	return append(out, '}'), nil
}
