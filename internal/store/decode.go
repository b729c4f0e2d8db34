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

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ErrCorrupt is wrapped by errors about stored data that cannot be
// decoded (a damaged file, or one edited by hand).
var ErrCorrupt = errors.New("store: corrupt data")

// maxPayload bounds an inflated payload, so a damaged one cannot make a
// reader allocate without limit.
const maxPayload = 64 << 20

var flateReaders sync.Pool

// openPayload returns the body of a stored payload.
func openPayload(p []byte) ([]byte, error) {
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
		body, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
		if err != nil {
			return nil, fmt.Errorf("%w: inflate: %w", ErrCorrupt, err)
		}
		if len(body) > maxPayload {
			return nil, fmt.Errorf("%w: payload inflates past %d bytes", ErrCorrupt, maxPayload)
		}
		return body, nil
	}
	return nil, fmt.Errorf("%w: unknown payload format %d", ErrCorrupt, p[0])
}

// decoder reads a body. The first problem is kept in err and makes every
// later read return zero values, so callers check err once at the end.
type decoder struct {
	b   []byte
	v   *dictView
	err error
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
	for n := d.count(); n > 0 && d.err == nil; n-- {
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
		for n := d.count(); n > 0 && d.err == nil; n-- {
			d.skipValue(depth + 1)
		}
	case tagMap:
		d.skipMap(depth + 1)
	default:
		d.fail("unknown value tag %d", t)
	}
}

// jsonMap decodes a map into JSON-ready values (see model.go).
func (d *decoder) jsonMap(depth int) map[string]any {
	n := d.count()
	m := make(map[string]any, n)
	for ; n > 0 && d.err == nil; n-- {
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
		for ; n > 0 && d.err == nil; n-- {
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

// pMap decodes a map into dst, which should be empty.
func (d *decoder) pMap(dst pcommon.Map, depth int) {
	n := d.count()
	dst.EnsureCapacity(n)
	for ; n > 0 && d.err == nil; n-- {
		k := d.key()
		d.pValue(dst.PutEmpty(k), depth)
	}
}

func (d *decoder) pValue(dst pcommon.Value, depth int) {
	if depth > maxDepth {
		d.fail("values nested too deep")
		return
	}
	switch t := d.byte1(); t {
	case tagEmpty:
	case tagStr:
		dst.SetStr(d.str())
	case tagFalse:
		dst.SetBool(false)
	case tagTrue:
		dst.SetBool(true)
	case tagInt:
		dst.SetInt(d.varint())
	case tagDouble:
		dst.SetDouble(math.Float64frombits(d.fixed64()))
	case tagBytes:
		dst.SetEmptyBytes().FromRaw(bytes.Clone(d.raw(d.uvarint())))
	case tagSlice:
		n := d.count()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(n)
		for ; n > 0 && d.err == nil; n-- {
			d.pValue(s.AppendEmpty(), depth+1)
		}
	case tagMap:
		d.pMap(dst.SetEmptyMap(), depth+1)
	default:
		d.fail("unknown value tag %d", t)
	}
}

// jsonMapOf decodes raw map bytes (from skipMap); empty raw is an empty
// map.
func jsonMapOf(raw []byte, v *dictView) (map[string]any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	d := decoder{b: raw, v: v}
	m := d.jsonMap(0)
	return m, d.err
}

func pMapOf(raw []byte, v *dictView, dst pcommon.Map) error {
	if len(raw) == 0 {
		return nil
	}
	d := decoder{b: raw, v: v}
	d.pMap(dst, 0)
	return d.err
}
