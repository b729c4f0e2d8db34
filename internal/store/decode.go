package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// ErrCorrupt is wrapped by errors about stored data that cannot be
// decoded (a damaged file, or one edited by hand).
var ErrCorrupt = errors.New("store: corrupt data")

// maxPayload bounds an inflated payload, so a damaged one cannot make a
// reader allocate without limit.
const maxPayload = 64 << 20

var flateReaders sync.Pool

// inflateChunk is how much of a payload is inflated between looks at the
// query's context.
const inflateChunk = 1 << 20

// openPayload returns the body of a stored payload. st, when not nil, is
// looked at between chunks of inflating, so a query stops inflating a
// large payload when its context ends.
func openPayload(p []byte, st *stopper) ([]byte, error) {
	if len(p) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrCorrupt)
	}
	switch p[0] {
	case formatRaw:
		return p[1:], nil
	case formatFlate:
		r, _ := flateReaders.Get().(io.ReadCloser)
		if rs, ok := r.(flate.Resetter); ok {
			if err := rs.Reset(bytes.NewReader(p[1:]), nil); err != nil {
				return nil, fmt.Errorf("%w: inflate: %w", ErrCorrupt, err)
			}
		} else {
			r = flate.NewReader(bytes.NewReader(p[1:]))
		}
		defer flateReaders.Put(r)
		var body bytes.Buffer
		for {
			if err := st.err(); err != nil {
				return nil, err
			}
			n, err := io.CopyN(&body, r, inflateChunk)
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: inflate: %w", ErrCorrupt, err)
			}
			if body.Len() > maxPayload {
				return nil, fmt.Errorf("%w: payload inflates past %d bytes", ErrCorrupt, maxPayload)
			}
			if n < inflateChunk {
				return body.Bytes(), nil
			}
		}
	}
	return nil, fmt.Errorf("%w: unknown payload format %d", ErrCorrupt, p[0])
}

// decoder reads a body. The first problem is kept in err and makes every
// later read return zero values, so callers check err once at the end.
// Loops over map entries and array elements tick st (when set), so a
// query stops decoding once its context ends; err is then the context's
// cause.
type decoder struct {
	b   []byte
	v   *dictView
	st  *stopper
	err error
}

// tick counts an item for the query's stopper; false once decoding must
// stop (d.err says why).
func (d *decoder) tick() bool {
	if d.st != nil && d.err == nil {
		if err := d.st.tick(); err != nil {
			d.err = err
			d.b = nil
		}
	}
	return d.err == nil
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte1() byte {
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) raw(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail("truncated: %d bytes wanted, %d left", n, len(d.b))
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) fixed64() uint64 {
	p := d.raw(8)
	if len(p) < 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

func (d *decoder) str() string { return string(d.raw(d.uvarint())) }

func (d *decoder) u32() uint32 {
	v := d.uvarint()
	if v > math.MaxUint32 {
		d.fail("count %d out of range", v)
		return 0
	}
	return uint32(v)
}

// count reads an element count, which cannot exceed the bytes left (each
// element takes at least one), so a damaged count allocates nothing big.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("count %d exceeds the %d bytes left", n, len(d.b))
		return 0
	}
	return int(n)
}

func (d *decoder) key() string {
	k := d.uvarint()
	if k&1 == 1 {
		return string(d.raw(k >> 1))
	}
	id := k >> 1
	if d.v == nil || id == 0 || id >= uint64(len(d.v.keys)) {
		if d.err == nil {
			d.fail("unknown attribute key id %d", id)
		}
		return ""
	}
	return d.v.keys[id]
}

// skipMap skips an encoded map and returns its bytes.
func (d *decoder) skipMap(depth int) []byte {
	start := d.b
	for n := d.count(); n > 0 && d.tick(); n-- {
		if k := d.uvarint(); k&1 == 1 {
			d.raw(k >> 1)
		}
		d.skipValue(depth)
	}
	if d.err != nil {
		return nil
	}
	return start[:len(start)-len(d.b)]
}

// skipElements skips the n elements of an array at nesting level lvl.
func (d *decoder) skipElements(n, lvl int) {
	for ; n > 0 && d.tick(); n-- {
		d.skipValue(lvl + 1)
	}
}

// skipEntries skips the n entries of a map at nesting level lvl.
func (d *decoder) skipEntries(n, lvl int) {
	for ; n > 0 && d.tick(); n-- {
		if k := d.uvarint(); k&1 == 1 {
			d.raw(k >> 1)
		}
		d.skipValue(lvl + 1)
	}
}

func (d *decoder) skipValue(depth int) {
	if depth > maxDepth {
		d.fail("values nested too deep")
		return
	}
	switch t := d.byte1(); t {
	case tagEmpty, tagFalse, tagTrue:
	case tagStr, tagBytes:
		d.raw(d.uvarint())
	case tagInt:
		d.varint()
	case tagDouble:
		d.raw(8)
	case tagSlice:
		d.skipElements(d.count(), depth)
	case tagMap:
		d.skipMap(depth + 1)
	default:
		d.fail("unknown value tag %d", t)
	}
}

// jsonMap decodes a map into JSON-ready values (see model.go); of a
// repeated key, the last value is kept.
func (d *decoder) jsonMap(depth int) map[string]any {
	n := d.count()
	m := make(map[string]any, n)
	for ; n > 0 && d.tick(); n-- {
		k := d.key()
		m[k] = d.jsonValue(depth)
	}
	return m
}

func (d *decoder) jsonValue(depth int) any {
	if depth > maxDepth {
		d.fail("values nested too deep")
		return nil
	}
	switch t := d.byte1(); t {
	case tagEmpty:
		return nil
	case tagStr:
		return d.str()
	case tagFalse:
		return false
	case tagTrue:
		return true
	case tagInt:
		return d.varint()
	case tagDouble:
		f := math.Float64frombits(d.fixed64())
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return f
	case tagBytes:
		return bytes.Clone(d.raw(d.uvarint()))
	case tagSlice:
		n := d.count()
		s := make([]any, 0, n)
		for ; n > 0 && d.tick(); n-- {
			s = append(s, d.jsonValue(depth+1))
		}
		return s
	case tagMap:
		return d.jsonMap(depth + 1)
	default:
		d.fail("unknown value tag %d", t)
		return nil
	}
}

// jsonMapOf decodes raw map bytes (from skipMap); empty raw is an empty
// map. st, when not nil, is ticked for every entry and element.
func jsonMapOf(raw []byte, v *dictView, st *stopper) (map[string]any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	d := decoder{b: raw, v: v, st: st}
	m := d.jsonMap(0)
	return m, d.err
}
