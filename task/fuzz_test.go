package task

import (
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

// Fuzz targets for every decoder of network input: task message headers
// and payload, result messages, attempt records. None may panic, and what
// they accept must hold their invariants.

// parseHeaderLines turns "Key: value" lines into NATS headers, as the
// client library hands them over (several values per key allowed).
func parseHeaderLines(raw string) nats.Header {
	h := nats.Header{}
	for line := range strings.Lines(raw) {
		k, v, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		h[k] = append(h[k], strings.TrimSpace(v))
	}
	return h
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add("Sightline-Task-Id: abc\nSightline-Task-Function: add\nSightline-Task-Reply: _INBOX.a.abc\n"+
		"Sightline-Task-Deadline: 2030-01-02T03:04:05.1Z\ntraceparent: 00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01",
		[]byte(`{"A":1,"B":2}`), true)
	f.Add("sightline-task-id: a\nSIGHTLINE-TASK-FUNCTION: x.y\n", []byte(`null`), false)
	f.Add("Sightline-Task-Id: \nSightline-Task-Function: *\n", []byte{}, true)
	f.Add("Sightline-Task-Id: a\nSightline-Task-Function: f\nSightline-Task-Deadline: 99999-99-99\n", []byte(`{`), false)
	f.Fuzz(func(t *testing.T, raw string, data []byte, needReply bool) {
		r, err := decodeRequest(parseHeaderLines(raw), data, needReply)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.Kind != KindMalformed {
				t.Fatalf("error %v is not a KindMalformed *Error", err)
			}
			return
		}
		if validID(r.id) != nil || validName(r.function) != nil {
			t.Fatalf("accepted invalid id %q or function %q", r.id, r.function)
		}
		if needReply && validSubject(r.reply) != nil {
			t.Fatalf("accepted invalid reply %q", r.reply)
		}
	})
}

func FuzzDecodeResult(f *testing.F) {
	f.Add([]byte(`{"id":"a","result":{"sum":3},"attempt":1,"worker":"w"}`))
	f.Add([]byte(`{"id":"a","error":{"kind":"panic","message":"x","stack":"f (a.go:1)"}}`))
	f.Add([]byte(`{"id":"","error":null}`))
	f.Add([]byte(`{"id":"a","result":"\u0000"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeResult(data)
		if err != nil {
			return
		}
		if validID(r.ID) != nil || r.Attempt < 0 || (r.Error != nil && r.Error.Kind == "") || (r.Error == nil && len(r.Result) == 0) {
			t.Fatalf("accepted an invalid result %+v", r)
		}
		// What is accepted survives re-encoding.
		again, err := decodeResult(encodeResult(r))
		if err != nil || again.ID != r.ID || (again.Error == nil) != (r.Error == nil) {
			t.Fatalf("re-encoded %+v: %+v, %v", r, again, err)
		}
	})
}

func FuzzDecodeAttempts(f *testing.F) {
	f.Add([]byte(`[{"attempt":1,"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708","worker":"w","pid":1}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"attempt":-1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := decodeAttempts(data)
		if err != nil {
			return
		}
		links := attemptLinks(recs)
		if len(links) != len(recs) {
			t.Fatalf("%d links for %d records", len(links), len(recs))
		}
		for _, l := range links {
			if !l.SpanContext.IsValid() {
				t.Fatalf("invalid link from accepted records %s", data)
			}
		}
	})
}
