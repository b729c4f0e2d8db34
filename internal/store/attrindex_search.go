package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
)

// candidateSet is what the attribute index says about a search: the
// traces that may match, a bit per trace sequence number, unless all is
// set (the search has no condition the index holds). Traces stored before
// the index existed (below from) and after the index was read (above) are
// candidates too.
type candidateSet struct {
	all         bool
	bits        []uint64
	n           int // bits set
	from, above int64
	// old reports whether traces below from exist.
	old bool
}

func (c *candidateSet) has(seq int64) bool {
	if c.all || seq < c.from || seq > c.above {
		return true
	}
	return c.bits[seq/64]&(1<<(seq%64)) != 0
}

// seqs returns the candidates' sequence numbers, ascending.
func (c *candidateSet) seqs() []int64 {
	out := make([]int64, 0, c.n)
	for i, w := range c.bits {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, int64(i*64+b))
			w &= w - 1
		}
	}
	return out
}

// indexBlock is a block or a pending row as read by a search.
type indexBlock struct {
	traces []byte
	filter bloom    // a block's
	items  []uint64 // a pending row's
}

func (b *indexBlock) has(x uint64) bool {
	if b.filter != nil {
		return b.filter.has(x)
	}
	return slices.Contains(b.items, x) // a pending row has fewer than ownBlockItems
}

// attrCandidates returns the traces that may satisfy every group of
// items (a trace satisfies a group when it has at least one of them),
// among those that may start at lo or later. A group with no items can
// be satisfied by no trace.
func (s *Store) attrCandidates(ctx context.Context, groups [][]uint64, lo int64, st *stopper) (candidateSet, error) {
	c := candidateSet{all: true}
	if len(groups) == 0 {
		return c, nil
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, fmt.Errorf("store: search traces: %w", err)
	}
	defer tx.Rollback() // read only
	c.from = s.attrFrom.Load()
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0), EXISTS (SELECT 1 FROM traces WHERE id < ?) FROM traces", c.from).
		Scan(&c.above, &c.old); err != nil {
		return c, fmt.Errorf("store: search traces: read the attribute index: %w", err)
	}
	blocks, err := readIndexBlocks(ctx, tx, lo, st)
	if err != nil {
		return c, err
	}
	words := int(c.above/64 + 1)
	c.all, c.bits = false, make([]uint64, words)
	group := make([]uint64, words)
	for gi, g := range groups {
		clear(group)
		for i := range blocks {
			if err := st.tick(); err != nil {
				return c, fmt.Errorf("store: search traces: %w", err)
			}
			b := &blocks[i]
			if !slices.ContainsFunc(g, b.has) {
				continue
			}
			if err := markSeqs(b.traces, group, c.above); err != nil {
				return c, fmt.Errorf("store: search traces: %w", err)
			}
		}
		if gi == 0 {
			copy(c.bits, group)
		} else {
			for i := range c.bits {
				c.bits[i] &= group[i]
			}
		}
	}
	for _, w := range c.bits {
		c.n += bits.OnesCount64(w)
	}
	return c, nil
}

// markSeqs sets the bits of the trace sequence numbers encoded in b (as
// appendSeqs writes them) that are at most above.
func markSeqs(b []byte, set []uint64, above int64) error {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("%w: bad trace list in the attribute index", ErrCorrupt)
		}
		prev += int64(d)
		if prev >= 0 && prev <= above {
			set[prev/64] |= 1 << (prev % 64)
		}
		b = b[n:]
	}
	return nil
}

// readIndexBlocks reads the blocks and pending rows that may have traces
// starting at lo or later (a block whose traces started before lo when it
// was written has no other: starts only move earlier).
func readIndexBlocks(ctx context.Context, tx *sql.Tx, lo int64, st *stopper) ([]indexBlock, error) {
	var out []indexBlock
	for _, q := range []string{"SELECT traces, bloom, NULL FROM attr_blocks WHERE max_start >= ?",
		"SELECT traces, NULL, items FROM attr_pending WHERE max_start >= ?"} {
		rows, err := tx.QueryContext(ctx, q, lo)
		if err != nil {
			return nil, fmt.Errorf("store: search traces: read the attribute index: %w", err)
		}
		for rows.Next() {
			if err := st.tick(); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: search traces: %w", err)
			}
			var b indexBlock
			var filter, items []byte
			if err := rows.Scan(&b.traces, &filter, &items); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: search traces: read the attribute index: %w", err)
			}
			if filter != nil {
				if b.filter = bloom(filter); !b.filter.valid() {
					rows.Close()
					return nil, fmt.Errorf("store: search traces: %w: bad attribute index filter", ErrCorrupt)
				}
			} else if b.items, err = parseItems(items); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: search traces: %w", err)
			}
			out = append(out, b)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: search traces: read the attribute index: %w", err)
		}
	}
	return out, nil
}

// attrGroups returns the index probes of TraceQuery.Attributes: for each
// pair, the items of a span or resource attribute with that string form.
// Pairs whose value could be an array's or map's form give no group.
func attrGroups(m map[string]string) [][]uint64 {
	var groups [][]uint64
	for k, v := range m {
		span, ok1 := stringFormItems(itemSpanAttr, k, v)
		res, ok2 := stringFormItems(itemResAttr, k, v)
		if ok1 && ok2 {
			groups = append(groups, append(span, res...))
		}
	}
	return groups
}
