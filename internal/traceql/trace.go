package traceql

// evalCtx holds what one Match call derives from the trace, each part built
// at most once and only when the query needs it: the parent of every span,
// the root, the trace's duration, and set buffers for reuse.
type evalCtx struct {
	t       *Trace
	parents []int32 // index of each span's parent, -1 for none; nil until built
	root    int     // index of the root span, -1 for none, -2 until found
	dur     int64
	durDone bool
	state   []uint8  // descendant walk marks, reused between >> operators
	free    [][]bool // released set buffers
}

func newEvalCtx(t *Trace) *evalCtx {
	return &evalCtx{t: t, root: -2}
}

// parentIndex returns the index of each span's parent in the trace, or -1
// when the span's ParentSpanID is zero, names a span not in the trace, or
// names the span itself. When two spans share a SpanID, the first is the
// parent of their children.
func (x *evalCtx) parentIndex() []int32 {
	if x.parents != nil {
		return x.parents
	}
	spans := x.t.Spans
	byID := make(map[[8]byte]int32, len(spans))
	for i := range spans {
		if _, dup := byID[spans[i].SpanID]; !dup {
			byID[spans[i].SpanID] = int32(i)
		}
	}
	parents := make([]int32, len(spans))
	for i := range spans {
		parents[i] = -1
		pid := spans[i].ParentSpanID
		if pid == ([8]byte{}) || pid == spans[i].SpanID {
			continue
		}
		if p, ok := byID[pid]; ok && int(p) != i {
			parents[i] = p
		}
	}
	x.parents = parents
	return parents
}

// rootIndex returns the trace's root span: the earliest-starting span with
// a zero ParentSpanID or, when there is none (the root has not arrived),
// the earliest-starting span whose parent is not in the trace; -1 when every
// span's parent is in the trace (a cycle).
func (x *evalCtx) rootIndex() int {
	if x.root != -2 {
		return x.root
	}
	spans := x.t.Spans
	best := -1
	for i := range spans {
		if spans[i].ParentSpanID == ([8]byte{}) && (best < 0 || spans[i].StartUnixNano < spans[best].StartUnixNano) {
			best = i
		}
	}
	if best < 0 {
		parents := x.parentIndex()
		for i := range spans {
			if parents[i] < 0 && (best < 0 || spans[i].StartUnixNano < spans[best].StartUnixNano) {
				best = i
			}
		}
	}
	x.root = best
	return best
}

// traceDuration returns the latest end minus the earliest start of the
// trace's spans.
func (x *evalCtx) traceDuration() int64 {
	if x.durDone {
		return x.dur
	}
	spans := x.t.Spans
	start, end := spans[0].StartUnixNano, spans[0].EndUnixNano
	for i := range spans[1:] {
		start = min(start, spans[i+1].StartUnixNano)
		end = max(end, spans[i+1].EndUnixNano)
	}
	x.dur, x.durDone = end-start, true
	return x.dur
}

// descendants clears every member of rhs that has no ancestor in lhs and
// reports whether any member is left. Each span's answer is found once: a
// walk up from a span stops at the first span already answered, so the
// whole pass is linear in the spans, even on a 20,000-deep chain. A cycle of
// parents is cut where the walk meets a span it is still answering.
func (x *evalCtx) descendants(lhs, rhs []bool) bool {
	const (
		unknown uint8 = iota
		walking
		no
		yes
	)
	parents := x.parentIndex()
	if len(x.state) != len(parents) {
		x.state = make([]uint8, len(parents))
	} else {
		clear(x.state)
	}
	state := x.state
	var path []int32
	anyLeft := false
	for i := range rhs {
		if !rhs[i] {
			continue
		}
		path = path[:0]
		j := int32(i)
		for j >= 0 && state[j] == unknown {
			state[j] = walking
			path = append(path, j)
			j = parents[j]
		}
		// above is whether path's last span has an ancestor in lhs at or
		// above j: unknown beyond the root or a cycle, so false there.
		above := j >= 0 && state[j] == yes
		for k := len(path) - 1; k >= 0; k-- {
			p := parents[path[k]]
			above = p >= 0 && (lhs[p] || above)
			state[path[k]] = no
			if above {
				state[path[k]] = yes
			}
		}
		rhs[i] = state[i] == yes
		anyLeft = anyLeft || rhs[i]
	}
	return anyLeft
}

// alloc returns a cleared set buffer, one flag per span.
func (x *evalCtx) alloc() []bool {
	if n := len(x.free); n > 0 {
		b := x.free[n-1]
		x.free = x.free[:n-1]
		clear(b)
		return b
	}
	return make([]bool, len(x.t.Spans))
}

// release hands a set buffer back for reuse.
func (x *evalCtx) release(b []bool) { x.free = append(x.free, b) }
