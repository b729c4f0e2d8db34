package plan

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// Test devices: instant by default; a motor can instead leave its moves to
// the test (manual), with an optional Status timeout; hooks let a test act
// from inside a device call (Abort, Pause, cancel, panic).

var t0 = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

// journal records what devices were asked to do, in order.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) add(format string, args ...any) {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.entries = append(j.entries, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

func (j *journal) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.entries...)
}

type motor struct {
	name    string
	tracer  trace.Tracer // of its statuses; nil: the global one
	journal *journal

	manual  bool          // moves complete when the test calls finishMoves
	timeout time.Duration // Status timeout of its moves
	setErr  error         // moves fail with it
	moved   chan float64  // if set, told of each Set (manual moves)
	onSet   func()

	mu      sync.Mutex
	pos     float64
	pending []*device.Status
	targets []float64
	stops   int
	opts    []device.StatusOption // of every move, made at the first Set
}

func (m *motor) Name() string       { return m.name }
func (m *motor) DeviceType() string { return "TestMotor" }

func (m *motor) Read(context.Context) (map[string]device.Reading, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return map[string]device.Reading{m.name: {Value: m.pos, Timestamp: t0}}, nil
}

func (m *motor) Describe(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{m.name: {Source: "test:" + m.name, DType: "number", Shape: []int{}, Units: "mm"}}, nil
}

func (m *motor) Set(ctx context.Context, v any) *device.Status {
	target := v.(float64)
	m.mu.Lock()
	if m.opts == nil {
		// The options that do not change, made once as a device that makes
		// many statuses does (each option is an allocation).
		m.opts = []device.StatusOption{device.WithType(device.TypeMoveStatus), device.WithDevice(m),
			device.WithUnit("mm"), device.WithTracer(m.tracer), device.WithTimeout(m.timeout)}
	}
	var buf [8]device.StatusOption
	st := device.NewStatus(ctx, append(append(buf[:0], m.opts...), device.WithTarget(target), device.WithStartPos(m.pos))...)
	m.targets = append(m.targets, target)
	m.journal.add("set %s %g", m.name, target)
	if m.manual {
		m.pending = append(m.pending, st)
		m.mu.Unlock()
		if m.moved != nil {
			m.moved <- target
		}
	} else {
		if m.setErr == nil {
			m.pos = target
		}
		m.mu.Unlock()
		st.SetFinishPos(target)
		st.Finish(m.setErr)
	}
	if m.onSet != nil {
		m.onSet()
	}
	return st
}

// finishMoves completes the pending moves (manual motor).
func (m *motor) finishMoves(err error) {
	m.mu.Lock()
	pending := m.pending
	m.pending = nil
	if err == nil && len(m.targets) > 0 {
		m.pos = m.targets[len(m.targets)-1]
	}
	m.mu.Unlock()
	for _, st := range pending {
		st.Finish(err)
	}
}

func (m *motor) Stop(context.Context) error {
	m.mu.Lock()
	m.stops++
	m.mu.Unlock()
	m.journal.add("stop %s", m.name)
	m.finishMoves(errors.New("stopped"))
	return nil
}

func (m *motor) Stage(context.Context) error   { m.journal.add("stage %s", m.name); return nil }
func (m *motor) Unstage(context.Context) error { m.journal.add("unstage %s", m.name); return nil }

func (m *motor) position() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos
}

func (m *motor) moves() []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]float64(nil), m.targets...)
}

// det reads 10 × the position of its motor (or its trigger count).
type det struct {
	name      string
	tracer    trace.Tracer
	journal   *journal
	motor     *motor
	readErr   error
	onTrigger func(n int) // n counts triggers from 1
	onRead    func(n int)

	mu       sync.Mutex
	triggers int
	reads    int
	opts     []device.StatusOption // of every trigger, made at the first one
}

func (d *det) Name() string { return d.name }

func (d *det) Trigger(ctx context.Context) *device.Status {
	d.mu.Lock()
	d.triggers++
	n := d.triggers
	if d.opts == nil {
		d.opts = []device.StatusOption{device.WithDevice(d), device.WithTracer(d.tracer)}
	}
	opts := d.opts
	d.mu.Unlock()
	if d.onTrigger != nil {
		d.onTrigger(n)
	}
	return device.Finished(ctx, nil, opts...)
}

func (d *det) Read(context.Context) (map[string]device.Reading, error) {
	d.mu.Lock()
	d.reads++
	n, trig := d.reads, d.triggers
	d.mu.Unlock()
	if d.onRead != nil {
		d.onRead(n)
	}
	if d.readErr != nil {
		return nil, d.readErr
	}
	v := float64(trig)
	if d.motor != nil {
		v = 10 * d.motor.position()
	}
	return map[string]device.Reading{d.name: {Value: v, Timestamp: t0}}, nil
}

func (d *det) readCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reads
}

func (d *det) Describe(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{d.name: {Source: "test:" + d.name, DType: "number", Shape: []int{}, Units: "counts"}}, nil
}

func (d *det) Stage(context.Context) error   { d.journal.add("stage %s", d.name); return nil }
func (d *det) Unstage(context.Context) error { d.journal.add("unstage %s", d.name); return nil }

// flyer collects three points, instantly.
type flyer struct{ name string }

func (f *flyer) Name() string { return f.name }
func (f *flyer) Kickoff(ctx context.Context) *device.Status {
	return device.Finished(ctx, nil, device.WithDevice(f))
}
func (f *flyer) Complete(ctx context.Context) *device.Status {
	return device.Finished(ctx, nil, device.WithDevice(f))
}
func (f *flyer) Collect(context.Context) ([]device.Collected, error) {
	var out []device.Collected
	for i := range 3 {
		ts := t0.Add(time.Duration(i) * time.Second)
		out = append(out, device.Collected{Time: ts, Data: map[string]any{f.name + "_x": float64(i)},
			Timestamps: map[string]time.Time{f.name + "_x": ts}})
	}
	return out, nil
}
func (f *flyer) DescribeCollect(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{f.name + "_x": {Source: "test", DType: "number"}}, nil
}

// docs collects the documents of a run.
type docs struct {
	mu   sync.Mutex
	list []namedDoc
}

type namedDoc struct {
	name string
	doc  Document
}

func (d *docs) handle(name string, doc Document) {
	d.mu.Lock()
	d.list = append(d.list, namedDoc{name, doc})
	d.mu.Unlock()
}

// all returns the documents named name.
func (d *docs) all(name string) []Document {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Document
	for _, nd := range d.list {
		if nd.name == name {
			out = append(out, nd.doc)
		}
	}
	return out
}

func (d *docs) names() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, nd := range d.list {
		out = append(out, nd.name)
	}
	return out
}

// fixedClock ticks one second per call from t0.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return t0.Add(time.Duration(n-1) * time.Second)
	}
}

// counterUIDs makes uids uid-1, uid-2...
func counterUIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("uid-%d", n)
	}
}

func readables(ds ...device.Readable) []device.Readable { return ds }
