package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/jsondepth"
	"github.com/sightline-dev/sightline/internal/otlp"
)

// The body of an announcement is outside input: its size is bounded
// (Options.MaxAnnouncementBytes) before anything decodes it; then one
// pass that allocates nothing (otlp.TracesDataCost) checks that OTLP/JSON
// nests at most jsondepth.OTLP levels (pdata's JSON decoder recurses
// without a bound) and protobuf at most as deep as pdata decodes, and
// estimates what decoding it will allocate, which it reserves of the
// store's decodeBudget until its span is encoded. A decoder's panic is a
// rejection. What the span then carries is cut to the store's ingest
// limits, as a span's is.

// Body types (partial.body.type).
const (
	bodyJSON    = "json/v1"
	bodyJSONOld = "json" // G-Research's first releases
	bodyProto   = "proto"
)

// decoding is a body to decode: protobuf, or OTLP/JSON.
type decoding struct {
	raw  []byte
	json bool
}

// bodyOf returns what to decode of an announcement's body, as bodyType
// says.
func bodyOf(body pcommon.Value, bodyType string, maxBytes int) (decoding, error) {
	switch body.Type() {
	case pcommon.ValueTypeBytes:
		raw := body.Bytes().AsRaw()
		if len(raw) > maxBytes {
			return decoding{}, rejectf("whose body is larger than %d bytes", maxBytes)
		}
		return decoding{raw: raw}, nil
	case pcommon.ValueTypeStr:
	default:
		return decoding{}, rejectf("whose body is neither a string nor bytes")
	}
	s := body.Str()
	if len(s) > maxBytes {
		return decoding{}, rejectf("whose body is larger than %d bytes", maxBytes)
	}
	switch bodyType {
	case bodyJSON, bodyJSONOld:
		return decoding{raw: []byte(s), json: true}, nil
	case bodyProto:
	case "":
		// The convention says proto; a JSON body without its type (as
		// some processors' first versions sent) is read as JSON.
		if strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") {
			return decoding{raw: []byte(s), json: true}, nil
		}
	default:
		return decoding{}, rejectf("with an unknown body type (partial.body.type not json/v1 or proto)")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimSpace(s)); err != nil {
			return decoding{}, rejectf("whose body (proto) is not base64")
		}
	}
	return decoding{raw: raw}, nil
}

// decodeBody decodes an announcement's body within budget (nil: none),
// returning the bytes it reserved, to release once the span is encoded.
// An error that is not a rejection is ctx's, ending while it waited.
func decodeBody(ctx context.Context, body pcommon.Value, bodyType string, maxBytes int, budget *decodeBudget) (ptrace.Traces, int64, error) {
	d, err := bodyOf(body, bodyType, maxBytes)
	if err != nil {
		return ptrace.Traces{}, 0, err
	}
	cost, err := otlp.TracesDataCost(d.raw, d.json)
	var deep *jsondepth.Error
	switch {
	case errors.As(err, &deep):
		return ptrace.Traces{}, 0, rejectf("whose body nests deeper than %d JSON levels", jsondepth.OTLP)
	case err != nil && strings.Contains(err.Error(), "exceeded max recursion depth"):
		return ptrace.Traces{}, 0, rejectf("whose body nests deeper than %d protobuf messages", protoDepthLimit)
	case err != nil:
		return ptrace.Traces{}, 0, rejectf("whose body is not OTLP TracesData protobuf")
	case budget != nil && cost > budget.max:
		return ptrace.Traces{}, 0, rejectf("whose body would take more than %d MiB to decode", budget.max>>20)
	}
	if err := budget.acquire(ctx, cost); err != nil {
		return ptrace.Traces{}, 0, err
	}
	var td ptrace.Traces
	if d.json {
		td, err = decodeJSON(d.raw)
	} else {
		td, err = decodeProto(d.raw)
	}
	if err != nil {
		budget.release(cost)
		return td, 0, err
	}
	if budget == nil {
		cost = 0
	}
	return td, cost, nil
}

func decodeProto(raw []byte) (td ptrace.Traces, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = rejectf("whose body is not OTLP TracesData protobuf (the decoder failed)")
		}
	}()
	td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(raw)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded max recursion depth") {
			return td, rejectf("whose body nests deeper than %d protobuf messages", protoDepthLimit)
		}
		return td, rejectf("whose body is not OTLP TracesData protobuf")
	}
	return td, nil
}

// decodeJSON decodes b, checked for nesting (jsondepth.OTLP).
func decodeJSON(b []byte) (td ptrace.Traces, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = rejectf("whose body is not OTLP TracesData JSON (the decoder failed)")
		}
	}()
	td, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
	if err != nil {
		if fixed, ok := padIDs(b); ok {
			td, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(fixed)
		}
	}
	if err != nil {
		return td, rejectf("whose body is not OTLP TracesData JSON")
	}
	return td, nil
}

// idKeys are the JSON members holding ids, with their width in hex digits.
var idKeys = []struct {
	key   string
	width int
}{
	{`"traceId"`, 32}, {`"spanId"`, 16}, {`"parentSpanId"`, 16},
	{`"trace_id"`, 32}, {`"span_id"`, 16}, {`"parent_span_id"`, 16},
}

// padIDs left-pads with zeros the ids of b written with fewer hex digits
// than their width, as the Python contrib's processor writes them
// (hex(id)[2:] drops leading zeros), which pdata's decoder refuses. ok is
// false when there is none to pad.
func padIDs(b []byte) ([]byte, bool) {
	type edit struct{ at, zeros int }
	var edits []edit
	for _, k := range idKeys {
		for from := 0; ; {
			i := bytes.Index(b[from:], []byte(k.key))
			if i < 0 {
				break
			}
			i += from + len(k.key)
			from = i
			j := skipSpace(b, i)
			if j >= len(b) || b[j] != ':' {
				continue
			}
			j = skipSpace(b, j+1)
			if j >= len(b) || b[j] != '"' {
				continue
			}
			end := bytes.IndexByte(b[j+1:], '"')
			if end <= 0 || end >= k.width || !isHex(b[j+1:j+1+end]) {
				continue
			}
			edits = append(edits, edit{at: j + 1, zeros: k.width - end})
		}
	}
	if len(edits) == 0 {
		return nil, false
	}
	slices.SortFunc(edits, func(a, b edit) int { return cmp.Compare(a.at, b.at) })
	out := make([]byte, 0, len(b)+32*len(edits))
	prev := 0
	for _, e := range edits {
		out = append(out, b[prev:e.at]...)
		out = append(out, strings.Repeat("0", e.zeros)...)
		prev = e.at
	}
	return append(out, b[prev:]...), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
