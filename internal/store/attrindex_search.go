package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// candidateSet is what the attribute index says about a search: the
// traces that may match (sorted sequence numbers), unless all is set
// (the index could not narrow it). Traces stored before the index existed
// (below from) and after the index was read (above) are candidates too.
type candidateSet struct {
	all         bool
	seqs        []int64
	from, above int64
	// old reports whether traces below from exist.
	old bool
}

func (c *candidateSet) has(seq int64) bool {
	if c.all || seq < c.from || seq > c.above {
		return true
	}
	_, ok := slices.BinarySearch(c.seqs, seq)
	return ok
}

// maxGroupCandidates is the most traces one group of probes may leave
// before the index gives up narrowing by it (its items are too common to
// help: checking the traces found on the way is cheaper).
const maxGroupCandidates = 50000

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
// items (a trace satisfies a group when it has at least one of them).
// A group with no items can be satisfied by no trace.
func (s *Store) attrCandidates(ctx context.Context, groups [][]uint64, st *stopper) (candidateSet, error) {
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
	blocks, err := readIndexBlocks(ctx, tx, st)
	if err != nil {
		return c, err
	}
	var result []int64
	restricted := false
	for _, g := range groups {
		var seqs []int64
		narrow := true
		for i := range blocks {
			if err := st.tick(); err != nil {
				return c, fmt.Errorf("store: search traces: %w", err)
			}
			b := &blocks[i]
			if !slices.ContainsFunc(g, b.has) {
				continue
			}
			if seqs, err = parseSeqs(b.traces, seqs); err != nil {
				return c, fmt.Errorf("store: search traces: %w", err)
			}
			if len(seqs) > maxGroupCandidates {
				narrow = false
				break
			}
		}
		if !narrow {
			continue
		}
		slices.Sort(seqs)
		seqs = slices.Compact(seqs)
		if !restricted {
			result, restricted = seqs, true
		} else {
			result = intersectSorted(result, seqs)
		}
	}
	if restricted {
		c.all, c.seqs = false, result
	}
	return c, nil
}

func readIndexBlocks(ctx context.Context, tx *sql.Tx, st *stopper) ([]indexBlock, error) {
	var out []indexBlock
	for _, q := range []string{"SELECT traces, bloom, NULL FROM attr_blocks", "SELECT traces, NULL, items FROM attr_pending"} {
		rows, err := tx.QueryContext(ctx, q)
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

func intersectSorted(a, b []int64) []int64 {
	out := a[:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
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
