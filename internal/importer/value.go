package importer

import (
	"bytes"
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// putValue sets v, which must be empty, from the JSON value raw:
//
//   - a number without '.', 'e' or 'E' that fits int64 becomes an Int,
//     any other number a Double;
//   - the strings "NaN", "Infinity" and "-Infinity" become Doubles: that is
//     what Python's bare tokens turn into after filtering, and how
//     sightline's console exporter writes non-finite floats;
//   - other strings become Str, true and false Bool, null stays Empty;
//   - an array becomes a Slice and an object a Map (in member order), to
//     any depth.
func putValue(v pcommon.Value, raw []byte) error {
	s := scanner{b: raw}
	if err := s.putValue(v); err != nil {
		return err
	}
	if s.peek() != 0 {
		return errMalformed
	}
	return nil
}

func (s *scanner) putValue(v pcommon.Value) error {
	switch c := s.peek(); c {
	case '{':
		return s.putMap(v.SetEmptyMap())
	case '[':
		sl := v.SetEmptySlice()
		return s.arrayEach(func(int) error { return s.putValue(sl.AppendEmpty()) })
	case '"':
		raw, esc, err := s.rawString()
		if err != nil {
			return err
		}
		if f, ok := nonFinite(raw); ok {
			v.SetDouble(f)
			return nil
		}
		str, err := unquote(raw, esc)
		if err != nil {
			return err
		}
		v.SetStr(str)
		return nil
	}
	lit, err := s.value()
	if err != nil {
		return err
	}
	switch string(lit) {
	case "true":
		v.SetBool(true)
		return nil
	case "false":
		v.SetBool(false)
		return nil
	case "null":
		return nil
	}
	if !bytes.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
			v.SetInt(n)
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil && !isRangeError(err) {
		return errMalformed
	}
	v.SetDouble(f) // out of range: ±Inf, as Python reads it
	return nil
}

// putMap fills m from the JSON object at s.i, in member order; a repeated
// key keeps its last value.
func (s *scanner) putMap(m pcommon.Map) error {
	return s.objectEach(func(key []byte) error {
		return s.putValue(m.PutEmpty(string(key)))
	})
}

// putAttributes fills m from raw, a JSON object or null.
func putAttributes(m pcommon.Map, raw []byte) error {
	if isNull(raw) {
		return nil
	}
	s := scanner{b: raw}
	if s.peek() != '{' {
		return typeError("an object", raw)
	}
	return s.putMap(m)
}

// nonFinite reports whether raw is one of the strings standing for a
// non-finite float, and which.
func nonFinite(raw []byte) (float64, bool) {
	switch string(raw) {
	case `"NaN"`:
		return math.NaN(), true
	case `"Infinity"`:
		return math.Inf(1), true
	case `"-Infinity"`:
		return math.Inf(-1), true
	}
	return 0, false
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
