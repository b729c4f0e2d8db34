package web

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// btTrace builds one trace as pdata: spans of several services, ids made
// from the trace number and a counter.
type btTrace struct {
	td     ptrace.Traces
	n      uint64
	id     pcommon.TraceID
	spans  map[string]ptrace.SpanSlice // by service
	ld     plog.Logs
	logs   map[string]plog.LogRecordSlice
	nextID uint64
}

func btNewTrace(n uint64) *btTrace {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], 0x51_6e_00_00_00_00_00_00|n)
	binary.BigEndian.PutUint64(id[8:], (n+1)*0x9e3779b97f4a7c15)
	return &btTrace{td: ptrace.NewTraces(), n: n, id: id, spans: map[string]ptrace.SpanSlice{},
		ld: plog.NewLogs(), logs: map[string]plog.LogRecordSlice{}}
}

// hex is the trace id as the API writes it.
func (b *btTrace) hex() string { return b.id.String() }

// span appends a span of service; parent is the zero id for a root.
func (b *btTrace) span(service, name string, parent pcommon.SpanID, start time.Time, d time.Duration) ptrace.Span {
	ss, ok := b.spans[service]
	if !ok {
		rs := b.td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", service)
		rs.Resource().Attributes().PutStr("host.name", "beamline-7.example")
		sc := rs.ScopeSpans().AppendEmpty()
		sc.Scope().SetName("github.com/sightline-dev/sightline/plan")
		sc.Scope().SetVersion("0.1.0")
		ss = sc.Spans()
		b.spans[service] = ss
	}
	sp := ss.AppendEmpty()
	sp.SetTraceID(b.id)
	b.nextID++
	var sid pcommon.SpanID
	binary.BigEndian.PutUint64(sid[:], b.n<<40|b.nextID)
	sp.SetSpanID(sid)
	sp.SetParentSpanID(parent)
	sp.SetName(name)
	sp.SetKind(ptrace.SpanKindInternal)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
	return sp
}

// log appends a log record of service on span sp.
func (b *btTrace) log(service string, sp ptrace.Span, at time.Time, sev plog.SeverityNumber, body string) plog.LogRecord {
	ls, ok := b.logs[service]
	if !ok {
		rl := b.ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", service)
		ls = rl.ScopeLogs().AppendEmpty().LogRecords()
		b.logs[service] = ls
	}
	lr := ls.AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.SetSeverityNumber(sev)
	lr.Body().SetStr(body)
	lr.SetTraceID(b.id)
	lr.SetSpanID(sp.SpanID())
	return lr
}

// btScan is a traced 1-D scan: a run span over staging, a motor move (with
// the motor's own span, an event and logs), a trigger, 2,000 consecutive
// "read det1" command spans (one failed) and close_run.
type btScan struct {
	*btTrace
	root, set, move, bad ptrace.Span
	reads                []ptrace.Span
}

// btScanReads is the number of "read det1" siblings; their durations are
// 1, 1.25, 1.5, 1.75 and 2 ms in turn, so min 1 ms, median 1.5 ms, max 2 ms.
const btScanReads = 2000

// btScanBad is the read that fails.
const btScanBad = 1234

func btScanTrace(n uint64, t0 time.Time) *btScan {
	const engine, motor, det = "bluesky-engine", "motor1", "det1"
	b := &btScan{btTrace: btNewTrace(n)}
	readsStart := 400 * time.Millisecond
	total := readsStart + btScanReads*2500*time.Microsecond + 30*time.Millisecond
	b.root = b.span(engine, "run scan", pcommon.SpanID{}, t0, total)
	ra := b.root.Attributes()
	ra.PutStr("plan_name", "scan")
	ra.PutInt("scan_id", 7)
	ra.PutStr("run.uid", "8d0c3c1e-6a53-4b8e-9d0c-4c3f2b1a0e9f")
	ra.PutStr("exit_status", "success")
	root := b.root.SpanID()

	op := b.span(engine, "dispatch open_run", root, t0.Add(time.Millisecond), 2*time.Millisecond)
	op.Attributes().PutStr("msg.command", "open_run")
	st := b.span(engine, "stage det1", root, t0.Add(5*time.Millisecond), 20*time.Millisecond)
	st.Attributes().PutStr("msg.obj", "det1")
	b.span(det, "stage det1", st.SpanID(), t0.Add(7*time.Millisecond), 15*time.Millisecond)

	b.set = b.span(engine, "set motor1", root, t0.Add(30*time.Millisecond), 3*time.Millisecond)
	sa := b.set.Attributes()
	sa.PutStr("msg.command", "set")
	sa.PutStr("msg.obj", "motor1")
	sa.PutEmptySlice("msg.args").AppendEmpty().SetDouble(1.5)
	sa.PutStr("msg.kwargs", `{"group":"set-1"}`)
	b.move = b.span(motor, "move motor1", b.set.SpanID(), t0.Add(31*time.Millisecond), 280*time.Millisecond)
	ma := b.move.Attributes()
	ma.PutDouble("target", 1.5)
	ma.PutDouble("start_position", 0)
	ma.PutStr("unit", "mm")
	ma.PutDouble("settle_time", 0.05)
	ev := b.move.Events().AppendEmpty()
	ev.SetName("settled")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(300 * time.Millisecond)))
	ev.Attributes().PutDouble("position", 1.4998)
	w := b.span(engine, "wait", root, t0.Add(34*time.Millisecond), 278*time.Millisecond)
	w.Attributes().PutStr("group", "set-1")
	tr := b.span(engine, "trigger det1", root, t0.Add(320*time.Millisecond), 60*time.Millisecond)
	tr.Attributes().PutStr("msg.obj", "det1")
	b.span(det, "acquire det1", tr.SpanID(), t0.Add(321*time.Millisecond), 55*time.Millisecond)

	for i := range btScanReads {
		start := t0.Add(readsStart + time.Duration(i)*2500*time.Microsecond)
		d := time.Millisecond + time.Duration(i%5)*250*time.Microsecond
		r := b.span(engine, "read det1", root, start, d)
		a := r.Attributes()
		a.PutStr("msg.command", "read")
		a.PutStr("msg.obj", "det1")
		a.PutInt("point", int64(i))
		a.PutDouble("det1.value", float64(1000+i%97))
		if i == btScanBad {
			r.Status().SetCode(ptrace.StatusCodeError)
			r.Status().SetMessage("det1: read timed out after 50ms")
			ex := r.Events().AppendEmpty()
			ex.SetName("exception")
			ex.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
			ex.Attributes().PutStr("exception.type", "device.TimeoutError")
			ex.Attributes().PutStr("exception.message", "det1: read timed out after 50ms")
			b.bad = r
		}
		b.reads = append(b.reads, r)
	}
	b.span(engine, "dispatch close_run", root, t0.Add(total-20*time.Millisecond), 5*time.Millisecond)

	b.log(engine, b.root, t0.Add(time.Millisecond), plog.SeverityNumberInfo, "run 7 started: scan det1 over motor1")
	b.log(engine, b.set, t0.Add(30*time.Millisecond), plog.SeverityNumberInfo, "moving motor1 to 1.5 mm")
	b.log(motor, b.move, t0.Add(300*time.Millisecond), plog.SeverityNumberDebug, "motor1 settled at 1.4998 mm")
	lr := b.log(engine, b.bad, t0.Add(readsStart+btScanBad*2500*time.Microsecond), plog.SeverityNumberError, "det1: read timed out after 50ms")
	lr.Attributes().PutInt("point", btScanBad)
	b.log(engine, b.root, t0.Add(total), plog.SeverityNumberInfo, "run 7 finished: success")
	return b
}

// btBigTrace is a trace of n spans (n a multiple of 100): a root, n/100-1
// "point" spans and 99 children under each, whose names change from one
// sibling to the next, so nothing is grouped and every span is a row.
func btBigTrace(n int, t0 time.Time) *btTrace {
	b := btNewTrace(uint64(1000 + n/1000))
	points := n/100 - 1
	total := time.Duration(points+1) * 10 * time.Millisecond
	root := b.span("bluesky-engine", fmt.Sprintf("run big %d", n), pcommon.SpanID{}, t0, total)
	kinds := []string{"set motor1", "trigger det1", "read det1"}
	left := n - 1 - points
	for p := range points {
		ps := t0.Add(time.Duration(p) * 10 * time.Millisecond)
		pt := b.span("bluesky-engine", fmt.Sprintf("point %d", p), root.SpanID(), ps, 9*time.Millisecond)
		k := 100
		if p == points-1 {
			k = left + 1 // the last point takes the rest
		}
		for j := range k - 1 {
			s := b.span("bluesky-engine", fmt.Sprintf("%s p%d.%d", kinds[j%3], p, j), pt.SpanID(),
				ps.Add(time.Duration(j)*80*time.Microsecond), 70*time.Microsecond)
			s.Attributes().PutInt("point", int64(p))
		}
		left -= k - 1
	}
	return b
}

// btXSSTrace holds markup and script in every place a value can be shown.
func btXSSTrace(n uint64, t0 time.Time) *btTrace {
	b := btNewTrace(n)
	const svc = `<b onmouseover=window.__xss=3>svc</b>`
	root := b.span(svc, btXSSName, pcommon.SpanID{}, t0, 50*time.Millisecond)
	root.Attributes().PutStr("payload", btXSSAttr)
	root.Attributes().PutStr(`<img src=x onerror=window.__xss=4>`, "key with markup")
	root.Status().SetCode(ptrace.StatusCodeError)
	root.Status().SetMessage(`<svg onload=window.__xss=5>`)
	ev := root.Events().AppendEmpty()
	ev.SetName(`<iframe src="javascript:window.__xss=6">`)
	ev.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Millisecond)))
	ln := root.Links().AppendEmpty()
	ln.SetTraceID(b.id)
	ln.SetSpanID(root.SpanID())
	ln.Attributes().PutStr("note", `"><script>window.__xss=7</script>`)
	child := b.span(svc, `"><img src=x onerror=window.__xss=8>`, root.SpanID(), t0.Add(5*time.Millisecond), 10*time.Millisecond)
	b.log(svc, child, t0.Add(6*time.Millisecond), plog.SeverityNumberWarn, `<script>window.__xss=9</script>`)
	return b
}

const (
	btXSSName = `<img src=x onerror=window.__xss=1>`
	btXSSAttr = `<script>window.__xss=2</script>`
)
