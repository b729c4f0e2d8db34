package console

import (
	"math"
	"strconv"
	"sync"
)

// encoder appends JSON to buf in the layout of Python's json.dumps: with
// indent > 0 every member and element starts on its own line, indented by
// depth*indent spaces, and members are separated by ","; with indent == 0
// everything stays on one line and members are separated by ", ". Keys are
// always followed by ": ". Empty objects and arrays are written as {} and [].
//
// The encoder writes no whitespace of its own beyond that, so the caller
// decides the line ending. It never fails: every value has a JSON form.
type encoder struct {
	buf    []byte
	indent int
	depth  int
}

// maxPooledBuf is the largest buffer capacity returned to the pool; larger
// buffers (from unusually big spans or records) are left to the GC so one
// outlier does not pin memory forever.
const maxPooledBuf = 64 << 10

var encoderPool = sync.Pool{
	New: func() any { return &encoder{buf: make([]byte, 0, 2048)} },
}

func getEncoder(indent int) *encoder {
	e := encoderPool.Get().(*encoder)
	e.indent = indent
	e.reset()
	return e
}

func putEncoder(e *encoder) {
	if cap(e.buf) > maxPooledBuf {
		return
	}
	encoderPool.Put(e)
}

// reset empties the buffer and returns to the top level.
func (e *encoder) reset() {
	e.buf = e.buf[:0]
	e.depth = 0
}

// openObject writes '{' and enters a nesting level.
func (e *encoder) openObject() {
	e.buf = append(e.buf, '{')
	e.depth++
}

// closeObject leaves a nesting level and writes '}'; n is the number of
// members that were written.
func (e *encoder) closeObject(n int) {
	e.depth--
	if n > 0 {
		e.newline()
	}
	e.buf = append(e.buf, '}')
}

// openArray writes '[' and enters a nesting level.
func (e *encoder) openArray() {
	e.buf = append(e.buf, '[')
	e.depth++
}

// closeArray leaves a nesting level and writes ']'; n is the number of
// elements that were written.
func (e *encoder) closeArray(n int) {
	e.depth--
	if n > 0 {
		e.newline()
	}
	e.buf = append(e.buf, ']')
}

// item starts member or element number i (counting from 0) of the current
// object or array.
func (e *encoder) item(i int) {
	if i > 0 {
		if e.indent > 0 {
			e.buf = append(e.buf, ',')
		} else {
			e.buf = append(e.buf, ',', ' ')
		}
	}
	e.newline()
}

// newline starts a new line at the current depth; it does nothing in
// compact mode.
func (e *encoder) newline() {
	if e.indent <= 0 {
		return
	}
	e.buf = append(e.buf, '\n')
	e.buf = appendSpaces(e.buf, e.depth*e.indent)
}

// key starts member i of the current object with an arbitrary key.
func (e *encoder) key(i int, k string) {
	e.item(i)
	e.buf = appendString(e.buf, k)
	e.buf = append(e.buf, ':', ' ')
}

// field starts member i of the current object with a key that is already
// quoted and needs no escaping, such as `"name"`.
func (e *encoder) field(i int, quoted string) {
	e.item(i)
	e.buf = append(e.buf, quoted...)
	e.buf = append(e.buf, ':', ' ')
}

func (e *encoder) null() { e.buf = append(e.buf, "null"...) }

func (e *encoder) raw(s string) { e.buf = append(e.buf, s...) }

func (e *encoder) str(s string) { e.buf = appendString(e.buf, s) }

func (e *encoder) int(n int64) { e.buf = strconv.AppendInt(e.buf, n, 10) }

func (e *encoder) float(f float64) { e.buf = appendFloat(e.buf, f) }

func (e *encoder) bool(v bool) {
	if v {
		e.buf = append(e.buf, "true"...)
	} else {
		e.buf = append(e.buf, "false"...)
	}
}

const spaces = "                                                                "

func appendSpaces(b []byte, n int) []byte {
	for n > len(spaces) {
		b = append(b, spaces...)
		n -= len(spaces)
	}
	return append(b, spaces[:n]...)
}

const hexDigits = "0123456789abcdef"

// appendHexID appends id as a JSON string "0x" followed by two lowercase hex
// digits per byte, the form of Python's f"0x{format_trace_id(id)}".
func appendHexID(b []byte, id []byte) []byte {
	b = append(b, '"', '0', 'x')
	for _, c := range id {
		b = append(b, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	return append(b, '"')
}

// appendFloat appends f the way Python's json.dumps prints a float, which
// is repr(f): the shortest digits that round-trip, in positional notation
// with at least one digit after the point ("1.0", "0.0001",
// "1234567890123456.0") when the decimal exponent is in [-4, 16), and in
// scientific notation with a two-digit minimum exponent ("1e-05", "1e+16",
// "1.5e+300") otherwise.
//
// Python writes the non-finite values as the bare tokens NaN, Infinity and
// -Infinity, which are not JSON; they are written here as the JSON strings
// "NaN", "Infinity" and "-Infinity".
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	var scratch [32]byte
	s := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64)
	// s is [-]d[.ddd]e±dd[d].
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	ePos := len(s) - 4
	for s[ePos] != 'e' {
		ePos--
	}
	exp := 0
	for _, c := range s[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if s[ePos+1] == '-' {
		exp = -exp
	}
	if neg {
		b = append(b, '-')
	}
	if exp < -4 || exp >= 16 {
		// Go's shortest 'e' format is exactly Python's repr here.
		return append(b, s...)
	}
	// Gather the significant digits without the decimal point.
	var digits [24]byte
	nd := copy(digits[:], s[:1])
	if ePos > 1 {
		nd += copy(digits[nd:], s[2:ePos])
	}
	if exp < 0 {
		b = append(b, '0', '.')
		for i := -1; i > exp; i-- {
			b = append(b, '0')
		}
		return append(b, digits[:nd]...)
	}
	intDigits := exp + 1
	if nd <= intDigits {
		b = append(b, digits[:nd]...)
		for i := nd; i < intDigits; i++ {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	}
	b = append(b, digits[:intDigits]...)
	b = append(b, '.')
	return append(b, digits[intDigits:nd]...)
}
