package web

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The trace of the questions tests (browser_questions_test.go), and what
// the viewer must answer about it, computed here from the same spans.

// btQSpan is a span as the tests reason about it: times in ns since the
// trace's t0, attribute values as the viewer displays them.
type btQSpan struct {
	ID, Name, Service string
	Err, Msg          string // Err: "error" or ""
	Start, End        int64
	Attrs, Res        [][2]string
	Kids              []*btQSpan
	Parent            *btQSpan
	sid               pcommon.SpanID
}

// btQTrace is a trace built as pdata and as btQSpans.
type btQTrace struct {
	*btTrace
	t0    time.Time
	root  *btQSpan
	spans []*btQSpan
	n     int // spans made, for picking errors
}

// add appends a span of service under parent (nil: the root) from start
// to end (since t0), with string attributes as key, value pairs. Every
// 397th span made (from the 6th) has status error.
func (q *btQTrace) add(parent *btQSpan, service, name string, start, end time.Duration, kv ...string) *btQSpan {
	var pid pcommon.SpanID
	if parent != nil {
		pid = parent.sid
	}
	sp := q.span(service, name, pid, q.t0.Add(start), end-start)
	s := &btQSpan{ID: sp.SpanID().String(), sid: sp.SpanID(), Name: name, Service: service, Start: int64(start), End: int64(end), Parent: parent,
		Res: [][2]string{{"service.name", service}, {"host.name", "beamline-7.example"}}}
	for i := 0; i+1 < len(kv); i += 2 {
		sp.Attributes().PutStr(kv[i], kv[i+1])
		s.Attrs = append(s.Attrs, [2]string{kv[i], kv[i+1]})
	}
	if q.n%397 == 5 {
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage("device timed out")
		s.Err, s.Msg = "error", "device timed out"
	}
	q.n++
	if parent != nil {
		parent.Kids = append(parent.Kids, s)
	} else {
		q.root = s
	}
	q.spans = append(q.spans, s)
	return s
}

const btQSpans = 20_000

// btQuestionsTrace is a 20,000-span scan: a root over a chain 1,000 deep
// ("configure step"), 40 points of a scan (a motor move, a trigger whose
// acquisition ends after it, 100 parallel "read channel" reads folded in a
// group), 20 batches of 300 parallel "task" spans on four worker services
// (one ending far past its batch), 2,000 sequential "write chunk" spans,
// and a calibration, parallel to the writes, of 8 axes whose "sample"
// children fill up to 20,000 spans. About 50 spans fail. variant 1 is
// the other run for compare: 90 reads a point, tasks 1.5 times longer, no
// "legacy checksum" but an "upload results".
func btQuestionsTrace(n uint64, t0 time.Time, variant int) *btQTrace {
	const ms, us = time.Millisecond, time.Microsecond
	q := &btQTrace{btTrace: btNewTrace(n), t0: t0}
	root := q.add(nil, "engine", "run scan", 0, 1520*ms, "plan_name", "scan")
	if variant == 0 {
		q.add(root, "engine", "legacy checksum", 500*us, 900*us)
	} else {
		q.add(root, "store", "upload results", 1511*ms, 1515*ms)
	}
	// The chain: each step inside the one before.
	p := q.add(root, "engine", "configure", ms, 201*ms)
	for i := 1; i < 1000; i++ {
		kv := []string{"depth", fmt.Sprint(i)}
		if i == 999 {
			kv = append(kv, "xyzzy.flag", "on")
		}
		p = q.add(p, "engine", "configure step", ms+time.Duration(i)*us, 201*ms-time.Duration(i)*us, kv...)
	}
	// The scan: points 2 ms apart.
	scan := q.add(root, "engine", "scan", 210*ms, 690*ms)
	reads := 100
	if variant == 1 {
		reads = 90
	}
	for pt := range 40 {
		p0 := 210*ms + time.Duration(pt)*12*ms
		point := q.add(scan, "engine", fmt.Sprintf("point %d", pt), p0, p0+10*ms)
		q.add(point, "motor", "move motor1", p0, p0+3*ms, "motor.target", fmt.Sprintf("%d.5 mm", pt))
		trig := q.add(point, "engine", "trigger det1", p0+3*ms, p0+5*ms)
		q.add(trig, "det", "acquire det1", p0+3*ms+100*us, p0+5*ms+500*us)
		for j := range reads {
			s := p0 + 5*ms + time.Duration(j)*10*us
			d := ms + time.Duration((pt*7+j*13)%50)*20*us
			kv := []string{"channel", fmt.Sprintf("ch-%02d", j)}
			if pt == 17 && j == 42 {
				kv = append(kv, "sample.id", "S-0042-quartz")
			}
			q.add(point, "det", "read channel", s, s+d, kv...)
		}
	}
	// Batches of parallel tasks.
	proc := q.add(root, "pipeline", "process", 700*ms, 1300*ms)
	for k := range 20 {
		b0 := 700*ms + time.Duration(k)*30*ms
		batch := q.add(proc, "pipeline", fmt.Sprintf("batch %d", k), b0, b0+25*ms)
		for j := range 300 {
			s := b0 + time.Duration(j%30)*500*us
			d := ms + time.Duration((k*31+j*17)%100)*100*us
			if variant == 1 {
				d = d * 3 / 2
			}
			if k == 3 && j == 0 {
				d = 40 * ms // far past its batch's end
			}
			var kv []string
			if j == 150 {
				kv = []string{"beam.mode", "top-up"}
			}
			q.add(batch, fmt.Sprintf("worker-%d", k%4), "task", s, s+d, kv...)
		}
	}
	// Sequential writes, 20 µs apart.
	wr := q.add(root, "store", "write results", 1310*ms, 1510*ms)
	for i := range 2000 {
		s := 1310*ms + time.Duration(i)*100*us
		q.add(wr, "store", "write chunk", s, s+80*us, "chunk", fmt.Sprint(i))
	}
	// The calibration, parallel to the writes, fills up to btQSpans.
	cal := q.add(root, "calib", "calibrate", 1300*ms, 1450*ms)
	axes := make([]*btQSpan, 8)
	for a := range axes {
		a0 := 1300*ms + time.Duration(a)*18*ms
		axes[a] = q.add(cal, "calib", fmt.Sprintf("calibrate axis %d", a), a0, a0+17*ms)
	}
	for i := 0; len(q.spans) < btQSpans; i++ {
		a := axes[i%8]
		s := time.Duration(a.Start) + time.Duration(i/8%100)*100*us
		q.add(a, "calib", "sample", s, s+time.Duration(1+i%9)*100*us)
	}
	// The detector's resource says its model.
	for i := range q.td.ResourceSpans().Len() {
		rs := q.td.ResourceSpans().At(i)
		if v, _ := rs.Resource().Attributes().Get("service.name"); v.Str() == "det" {
			rs.Resource().Attributes().PutStr("detector.model", "Eiger2-X")
		}
	}
	for _, s := range q.spans {
		if s.Service == "det" {
			s.Res = append(s.Res, [2]string{"detector.model", "Eiger2-X"})
		}
		slices.SortStableFunc(s.Kids, func(a, b *btQSpan) int {
			return cmp.Or(cmp.Compare(a.Start, b.Start), strings.Compare(a.ID, b.ID))
		})
	}
	return q
}

// order lists the spans as the waterfall does with everything expanded:
// depth first, children in start order (then span id), the members of a
// group of at least 10 siblings of one name and service at the place of
// the first one.
func (q *btQTrace) order() []*btQSpan {
	var out []*btQSpan
	key := func(s *btQSpan) string { return s.Name + "\x00" + s.Service }
	var walk func([]*btQSpan)
	walk = func(list []*btQSpan) {
		counts := map[string]int{}
		for _, c := range list {
			counts[key(c)]++
		}
		done := map[string]bool{}
		for _, c := range list {
			k := key(c)
			if counts[k] < 10 {
				out = append(out, c)
				walk(c.Kids)
				continue
			}
			if done[k] {
				continue
			}
			done[k] = true
			for _, m := range list {
				if key(m) == k {
					out = append(out, m)
					walk(m.Kids)
				}
			}
		}
	}
	walk([]*btQSpan{q.root})
	return out
}

// groupKey is the data-key of the group row s is folded in ("" when s is
// not in a group).
func (q *btQTrace) groupKey(s *btQSpan) string {
	if s.Parent == nil {
		return ""
	}
	k := 0
	for _, c := range s.Parent.Kids {
		if c.Name == s.Name && c.Service == s.Service {
			k++
		}
	}
	if k < 10 {
		return ""
	}
	return "g:" + s.Parent.ID + "/" + s.Name + "|" + s.Service
}

// matches lists, in waterfall order, the spans whose name, service,
// status message, attribute or resource attribute keys or values hold
// query, ignoring case.
func (q *btQTrace) matches(query string) []*btQSpan {
	query = strings.ToLower(query)
	var out []*btQSpan
	for _, s := range q.order() {
		fields := []string{s.Name, s.Service, s.Msg}
		for _, kv := range append(slices.Clone(s.Attrs), s.Res...) {
			fields = append(fields, kv[0], kv[1])
		}
		for _, f := range fields {
			if strings.Contains(strings.ToLower(f), query) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// critical is the reference of the critical path (critical.js says the
// algorithm): span id -> the ns of its own segments, for every span the
// walk passes through. Written plainly: at each step every child is
// scanned.
func (q *btQTrace) critical() map[string]int64 {
	type rec struct {
		cs, ce int64
		kids   []*btQSpan
		used   map[*btQSpan]bool
	}
	top := &btQSpan{Kids: []*btQSpan{q.root}}
	recs := map[*btQSpan]*rec{top: {cs: q.root.Start, ce: q.root.End}}
	stack := []*btQSpan{top}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pr := recs[p]
		pr.used = map[*btQSpan]bool{}
		for _, c := range p.Kids {
			var cs int64
			switch {
			case c.Start >= pr.cs && c.Start >= pr.ce, c.Start < pr.cs && c.End <= pr.cs:
				continue // outside its parent: left out, with its subtree
			case c.Start >= pr.cs:
				cs = c.Start
			default:
				cs = pr.cs
			}
			recs[c] = &rec{cs: cs, ce: min(c.End, pr.ce)}
			pr.kids = append(pr.kids, c)
			stack = append(stack, c)
		}
	}
	own := map[string]int64{}
	parentOf := func(s *btQSpan) *btQSpan {
		if s.Parent == nil {
			return top
		}
		return s.Parent
	}
	cur, r := top, recs[top].ce
	for {
		cr := recs[cur]
		var best *btQSpan
		for _, c := range cr.kids {
			if cr.used[c] || recs[c].ce > r {
				continue
			}
			if best == nil || recs[c].ce > recs[best].ce || (recs[c].ce == recs[best].ce && recs[c].cs <= recs[best].cs) {
				best = c
			}
		}
		if best != nil {
			cr.used[best] = true
			if cur != top {
				own[cur.ID] += r - recs[best].ce
			}
			cur, r = best, recs[best].ce
			own[cur.ID] += 0
			continue
		}
		if cur == top {
			break
		}
		own[cur.ID] += r - cr.cs
		cur, r = parentOf(cur), cr.cs
	}
	return own
}

// btQFigures are a (service, name)'s figures in one trace.
type btQFigures struct {
	Count         int
	Total, Median float64
}

func (q *btQTrace) figures() map[[2]string]btQFigures {
	durs := map[[2]string][]int64{}
	for _, s := range q.spans {
		k := [2]string{s.Service, s.Name}
		durs[k] = append(durs[k], s.End-s.Start)
	}
	out := map[[2]string]btQFigures{}
	for k, d := range durs {
		slices.Sort(d)
		var total int64
		for _, x := range d {
			total += x
		}
		med := float64(d[len(d)/2])
		if len(d)%2 == 0 {
			med = float64(d[len(d)/2-1]+d[len(d)/2]) / 2
		}
		out[k] = btQFigures{Count: len(d), Total: float64(total), Median: med}
	}
	return out
}
