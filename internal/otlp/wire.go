package otlp

import (
	"errors"
	"fmt"
	"io"
)

// The protobuf wire format as pdata 1.71's decoder reads it (its
// internal/proto: ConsumeVarint, ConsumeTag, ConsumeUnknown), for the cost
// walk (cost.go), which must accept whatever pdata accepts: it is more
// lenient than google.golang.org/protobuf's protowire (varints whose tenth
// byte overflows, field numbers up to 2^31-1, and a quirk in skipping
// groups). FuzzCost compares the two.

type wireType int8

const (
	wireVarint     wireType = 0
	wireI64        wireType = 1
	wireLen        wireType = 2
	wireStartGroup wireType = 3
	wireEndGroup   wireType = 4
	wireI32        wireType = 5
)

var (
	errVarintOverflow = errors.New("proto: integer overflow")
	errEndOfGroup     = errors.New("proto: unexpected end of group")
)

// consumeVarint reads a varint at pos and returns it with the position
// after it.
func consumeVarint(b []byte, pos int) (uint64, int, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if shift >= 64 {
			return 0, 0, errVarintOverflow
		}
		if pos >= len(b) {
			return 0, 0, io.ErrUnexpectedEOF
		}
		c := b[pos]
		pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, pos, nil
		}
	}
}

// consumeTag reads a field tag at pos.
func consumeTag(b []byte, pos int) (num int32, typ wireType, next int, err error) {
	tag, next, err := consumeVarint(b, pos)
	if err != nil {
		return 0, 0, 0, err
	}
	num = int32(tag >> 3)
	if num <= 0 {
		return 0, 0, 0, fmt.Errorf("proto: illegal field %d (tag %d at byte %d)", num, tag, pos)
	}
	return num, wireType(tag & 7), next, nil
}

// skipField skips the value of a field of wire type typ (not wireLen) at
// pos, as pdata's ConsumeUnknown does, and returns the position after it.
func skipField(b []byte, pos int, typ wireType) (int, error) {
	depth := 0
	for pos < len(b) {
		var err error
		switch typ {
		case wireVarint:
			_, pos, err = consumeVarint(b, pos)
			return pos, err
		case wireI64:
			return fixed(b, pos, 8)
		case wireLen:
			n, next, err := consumeVarint(b, pos)
			if err != nil {
				return 0, err
			}
			end := next + int(n)
			if int(n) < 0 || end < next || end > len(b) {
				return 0, io.ErrUnexpectedEOF
			}
			return end, nil
		case wireStartGroup:
			depth++
		case wireEndGroup:
			if depth == 0 {
				return 0, errEndOfGroup
			}
			depth--
		case wireI32:
			return fixed(b, pos, 4)
		default:
			return 0, fmt.Errorf("proto: illegal wire type %d", typ)
		}
		if depth == 0 {
			return pos, nil
		}
		if _, typ, pos, err = consumeTag(b, pos); err != nil {
			return 0, err
		}
	}
	return 0, io.ErrUnexpectedEOF
}

// fixed skips n bytes at pos.
func fixed(b []byte, pos, n int) (int, error) {
	if pos+n > len(b) {
		return 0, io.ErrUnexpectedEOF
	}
	return pos + n, nil
}
