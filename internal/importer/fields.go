package importer

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/otlpenum"
)

// Timestamps pcommon can hold: nanoseconds since 1970 in an int64 here, as
// time.Time.UnixNano needs.
var (
	minTime = time.Unix(0, 0)
	maxTime = time.Unix(0, 1<<63-1)
)

// parseHexID decodes an id written as "0x" and 2*len(dst) hex digits (the
// "0x" is optional, either case).
func parseHexID(dst []byte, s string) error {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(h) != 2*len(dst) {
		return fmt.Errorf("%q: want 0x and %d hex digits", s, 2*len(dst))
	}
	if _, err := hex.Decode(dst, []byte(h)); err != nil {
		return fmt.Errorf("%q: want 0x and %d hex digits", s, 2*len(dst))
	}
	return nil
}

// traceID reads a trace id; all zeros is an error unless allowZero.
func traceID(raw []byte, allowZero bool) (pcommon.TraceID, error) {
	var id pcommon.TraceID
	s, err := stringValue(raw)
	if err != nil {
		return id, err
	}
	if err := parseHexID(id[:], s); err != nil {
		return id, err
	}
	if id.IsEmpty() && !allowZero {
		return id, fmt.Errorf("%q: all zeros is not a valid trace id", s)
	}
	return id, nil
}

// spanID reads a span id; all zeros is an error unless allowZero.
func spanID(raw []byte, allowZero bool) (pcommon.SpanID, error) {
	var id pcommon.SpanID
	s, err := stringValue(raw)
	if err != nil {
		return id, err
	}
	if err := parseHexID(id[:], s); err != nil {
		return id, err
	}
	if id.IsEmpty() && !allowZero {
		return id, fmt.Errorf("%q: all zeros is not a valid span id", s)
	}
	return id, nil
}

// timestamp reads an ISO 8601 time: Python's "2024-05-17T09:30:00.123457Z",
// any number of fractional digits, a numeric offset, a space for the "T",
// or no zone at all (taken as UTC). Absent or null is 0 (unset).
func timestamp(raw []byte) (pcommon.Timestamp, error) {
	if isNull(raw) {
		return 0, nil
	}
	s, err := stringValue(raw)
	if err != nil {
		return 0, err
	}
	t, err := parseTime(s)
	if err != nil {
		return 0, err
	}
	return pcommon.NewTimestampFromTime(t), nil
}

func parseTime(s string) (time.Time, error) {
	v := s
	if len(v) > 10 && v[10] == ' ' {
		v = v[:10] + "T" + v[11:]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		var err2 error
		if t, err2 = time.ParseInLocation("2006-01-02T15:04:05.999999999", v, time.UTC); err2 != nil {
			return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
		}
	}
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, fmt.Errorf("%q is outside 1970-2262", s)
	}
	return t, nil
}

// spanKind reads "SpanKind.SERVER" and the like; the prefix and the case
// do not matter. Absent or null is Unspecified.
func spanKind(raw []byte) (ptrace.SpanKind, error) {
	if isNull(raw) {
		return ptrace.SpanKindUnspecified, nil
	}
	s, err := stringValue(raw)
	if err != nil {
		return 0, err
	}
	if k, ok := otlpenum.SpanKindNamed(s); ok {
		return k, nil
	}
	return 0, fmt.Errorf("unknown span kind %q", s)
}

// statusCode reads "UNSET", "OK" or "ERROR" (or "StatusCode.OK" ...).
func statusCode(raw []byte) (ptrace.StatusCode, error) {
	if isNull(raw) {
		return ptrace.StatusCodeUnset, nil
	}
	s, err := stringValue(raw)
	if err != nil {
		return 0, err
	}
	if c, ok := otlpenum.StatusCodeNamed(s); ok {
		return c, nil
	}
	return 0, fmt.Errorf("unknown status code %q", s)
}

// severityNumber reads an integer 0-24, or Python's older enum repr
// "<SeverityNumber.INFO: 9>", or "SeverityNumber.INFO". Absent or null is
// 0 (unspecified).
func severityNumber(raw []byte) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	var n int64
	if kindOf(raw) == "a string" {
		s, err := stringValue(raw)
		if err != nil {
			return 0, err
		}
		if n, err = parseSeverity(s); err != nil {
			return 0, err
		}
	} else {
		var err error
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, typeError("an integer or \"<SeverityNumber.NAME: N>\"", raw)
		}
	}
	if n < 0 || n > 24 {
		return 0, fmt.Errorf("%d is outside 0-24", n)
	}
	return n, nil
}

func parseSeverity(s string) (int64, error) {
	bad := fmt.Errorf("%q: want an integer or \"<SeverityNumber.NAME: N>\"", s)
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		_, num, ok := strings.Cut(t[1:len(t)-1], ":")
		if !ok {
			return 0, bad
		}
		t = strings.TrimSpace(num)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, nil
	}
	if n, ok := otlpenum.SeverityNamed(t); ok {
		return int64(n), nil
	}
	return 0, bad
}
