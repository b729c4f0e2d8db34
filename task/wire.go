package task

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/nats-io/nats.go"
)

// Headers of a task message. The payload is the arguments as JSON; all
// else is in headers (docs/tasks.md, "Wire format").
const (
	// HeaderTaskID is the task id: 1 to 64 characters of [A-Za-z0-9_-]. The
	// same id is the message's Nats-Msg-Id (JetStream de-duplication) and
	// the key of its attempt record.
	HeaderTaskID = "Sightline-Task-Id"
	// HeaderFunction is the registered name of the function to run.
	HeaderFunction = "Sightline-Task-Function"
	// HeaderReply is the subject the worker publishes the result to (core
	// NATS). Required on NATS; the in-process transport needs none.
	HeaderReply = "Sightline-Task-Reply"
	// HeaderDeadline is the submitter's context deadline, RFC 3339 with
	// nanoseconds, UTC. Absent: no deadline.
	HeaderDeadline = "Sightline-Task-Deadline"
)

// request is a decoded task message.
type request struct {
	id       string
	function string
	reply    string
	deadline time.Time // zero: none
	args     json.RawMessage
	header   nats.Header // for the trace context
}

// decodeRequest reads a task message from its headers and payload. It
// checks the headers only; the payload is decoded by the function's entry
// (a payload that is not JSON is KindBadArguments, answered to the
// submitter). needReply: the transport must answer on a subject. The error
// is an *Error of KindMalformed, with the id and function filled in when
// they were valid.
func decodeRequest(h nats.Header, data []byte, needReply bool) (request, error) {
	c := headerCarrier(h)
	r := request{args: data, header: h}
	bad := func(format string, args ...any) (request, error) {
		return request{}, &Error{Kind: KindMalformed, TaskID: r.id, Function: r.function,
			Message: fmt.Sprintf(format, args...)}
	}
	id := c.Get(HeaderTaskID)
	if id == "" {
		return bad("missing header %s", HeaderTaskID)
	}
	if err := validID(id); err != nil {
		return bad("header %s: %v", HeaderTaskID, err)
	}
	r.id = id
	fn := c.Get(HeaderFunction)
	if fn == "" {
		return bad("missing header %s", HeaderFunction)
	}
	if err := validName(fn); err != nil {
		return bad("header %s: %v", HeaderFunction, err)
	}
	r.function = fn
	r.reply = c.Get(HeaderReply)
	if r.reply == "" && needReply {
		return bad("missing header %s", HeaderReply)
	}
	if r.reply != "" {
		if err := validSubject(r.reply); err != nil {
			r.reply = ""
			return bad("header %s: %v", HeaderReply, err)
		}
	}
	if d := c.Get(HeaderDeadline); d != "" {
		t, err := time.Parse(time.RFC3339Nano, d)
		if err != nil {
			return bad("header %s: %v", HeaderDeadline, err)
		}
		r.deadline = t
	}
	return r, nil
}

// formatDeadline is the HeaderDeadline value of t.
func formatDeadline(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// resultMsg is the JSON payload of a result message.
type resultMsg struct {
	ID      string          `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
	Attempt int             `json:"attempt,omitempty"`
	Worker  string          `json:"worker,omitempty"`
}

// encodeResult marshals r. Result holds what json.Marshal produced, so
// this cannot fail for results built by the executor; should it fail, the
// failure itself is sent.
func encodeResult(r resultMsg) []byte {
	data, err := json.Marshal(r)
	if err != nil {
		data, _ = json.Marshal(resultMsg{ID: r.ID, Attempt: r.Attempt, Worker: r.Worker,
			Error: &Error{Kind: KindBadResult, TaskID: r.ID, Message: "encode result message: " + err.Error()}})
	}
	return data
}

// decodeResult reads a result message. A result without an error is a
// success; its Result is JSON null when absent.
func decodeResult(data []byte) (resultMsg, error) {
	var r resultMsg
	if err := json.Unmarshal(data, &r); err != nil {
		return resultMsg{}, fmt.Errorf("decode result message: %w", err)
	}
	if err := validID(r.ID); err != nil {
		return resultMsg{}, fmt.Errorf("result message: id: %w", err)
	}
	if r.Attempt < 0 {
		return resultMsg{}, fmt.Errorf("result message: negative attempt %d", r.Attempt)
	}
	if r.Error != nil {
		if r.Error.Kind == "" {
			return resultMsg{}, fmt.Errorf("result message %s: error without a kind", r.ID)
		}
		if r.Error.TaskID == "" {
			r.Error.TaskID = r.ID
		}
		r.Result = nil
	} else if len(r.Result) == 0 {
		r.Result = json.RawMessage("null")
	}
	return r, nil
}

// newID returns a random task id: 32 hex digits.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// maxIDLen bounds a task id.
const maxIDLen = 64

// validID checks a task id: 1 to 64 of [A-Za-z0-9_-], so that it is a
// subject token and a KeyValue key.
func validID(id string) error {
	if id == "" {
		return fmt.Errorf("empty task id")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("task id is %d bytes, more than %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("task id %q has %q (allowed: letters, digits, '_' and '-')", id, c)
		}
	}
	return nil
}

// validSubject checks a literal NATS subject (no wildcards).
func validSubject(s string) error {
	if s == "" {
		return fmt.Errorf("empty subject")
	}
	if len(s) > 1024 {
		return fmt.Errorf("subject is %d bytes, more than 1024", len(s))
	}
	for _, r := range s {
		if r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("subject %q contains %q", s, r)
		}
	}
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "" {
			return fmt.Errorf("subject %q has an empty token", s)
		}
	}
	return nil
}

// headerCarrier adapts NATS headers to the OpenTelemetry TextMapCarrier.
// Unlike propagation.HeaderCarrier it keeps keys as given (NATS headers
// are case-sensitive, and W3C names are lower case: "traceparent"), and
// reads case-insensitively when there is no exact match, so messages from
// clients that spell "Traceparent" still join the trace.
type headerCarrier nats.Header

// Get returns the first value of key, matched exactly, else without case.
func (c headerCarrier) Get(key string) string {
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	for k, v := range c {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v[0]
		}
	}
	return ""
}

// Set sets key to the one value.
func (c headerCarrier) Set(key, value string) { c[key] = []string{value} }

// Keys lists the keys.
func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
