package store

import (
	"encoding/binary"
	"fmt"
)

// A block of the attribute index is the items of the spans a run of
// transactions stored and the traces they belong to: a Bloom filter of
// bloomBitsPerItem bits per item with bloomHashes probes (about 0.05%
// false positives), and the trace sequence numbers as sorted uvarint
// deltas. A transaction with ownBlockItems items or more forms a block of
// its own; smaller ones are pending rows until they hold blockItems
// distinct items together.
const (
	bloomBitsPerItem = 16
	bloomHashes      = 11
	ownBlockItems    = 1024
	blockItems       = 8192
	// pendingRowsMax closes a block after this many transactions even if
	// they have fewer items, so a trickle of small transactions does not
	// leave many pending rows for every search to read.
	pendingRowsMax = 256
)

// bloom is a Bloom filter: its first byte is the number of probes, the
// rest the bits.
type bloom []byte

func newBloom(items []uint64) bloom {
	nbytes := max(8, (len(items)*bloomBitsPerItem+7)/8)
	b := make(bloom, 1+nbytes)
	b[0] = bloomHashes
	bits := uint64(nbytes * 8)
	for _, x := range items {
		h1, h2 := x&0xffffffff, x>>32|1
		for i := range uint64(bloomHashes) {
			p := (h1 + i*h2) % bits
			b[1+p/8] |= 1 << (p % 8)
		}
	}
	return b
}

func (b bloom) valid() bool { return len(b) >= 2 && b[0] >= 1 && b[0] <= 32 }

// has reports whether x may have been added: false means certainly not.
func (b bloom) has(x uint64) bool {
	bits := uint64(len(b)-1) * 8
	h1, h2 := x&0xffffffff, x>>32|1
	for i := range uint64(b[0]) {
		p := (h1 + i*h2) % bits
		if b[1+p/8]&(1<<(p%8)) == 0 {
			return false
		}
	}
	return true
}

// appendSeqs encodes sorted, distinct trace sequence numbers as uvarint
// deltas.
func appendSeqs(b []byte, seqs []int64) []byte {
	prev := int64(0)
	for _, s := range seqs {
		b = binary.AppendUvarint(b, uint64(s-prev))
		prev = s
	}
	return b
}

func parseSeqs(b []byte, dst []int64) ([]int64, error) {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return dst, fmt.Errorf("%w: bad trace list in the attribute index", ErrCorrupt)
		}
		prev += int64(d)
		dst = append(dst, prev)
		b = b[n:]
	}
	return dst, nil
}

// appendItems encodes items as 8-byte little-endian words (pending rows,
// which are read back to build their block's filter).
func appendItems(b []byte, items []uint64) []byte {
	for _, x := range items {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

func parseItems(b []byte) ([]uint64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("%w: bad item list in the attribute index", ErrCorrupt)
	}
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out, nil
}
