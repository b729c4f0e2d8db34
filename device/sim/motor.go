package sim

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/device"
)

// Motor is a simulated motor: Set moves it in real time (divided by the
// speedup) with a trapezoidal velocity profile, and Read shows where it is
// at that instant. It is safe for concurrent use.
type Motor struct {
	name string
	cfg  motorConfig
	// statusOpts describe every move's Status but its target and start,
	// made once (options cost an allocation each).
	statusOpts []device.StatusOption

	mu       sync.Mutex
	pos      float64 // position when not moving
	setpoint float64
	cur      *move // the move in progress, nil when at rest
	closed   bool
	stages   int
	unstages int
}

// move is one motion and the goroutine that ends it.
type move struct {
	prof   profile
	endT   float64 // physical seconds after t0 at which it ends
	end    float64 // where it ends: the target, or halfway on a fault
	fault  error
	t0     time.Time
	status *device.Status
	stop   chan struct{} // closed by whoever takes the move over
	exited chan struct{} // closed when the goroutine returns
}

var (
	_ device.Movable   = (*Motor)(nil)
	_ device.Stoppable = (*Motor)(nil)
	_ device.Stageable = (*Motor)(nil)
	_ device.Typed     = (*Motor)(nil)
)

// NewMotor returns a motor at rest (at 0 unless WithPosition).
func NewMotor(name string, opts ...MotorOption) *Motor {
	cfg := motorConfig{common: common{speedup: 1}, velocity: 1, unit: "mm"}
	for _, o := range opts {
		if o != nil {
			o.applyMotor(&cfg)
		}
	}
	m := &Motor{name: name, cfg: cfg, pos: cfg.position, setpoint: cfg.position}
	m.statusOpts = []device.StatusOption{device.WithType(device.TypeMoveStatus), device.WithDevice(m),
		device.WithUnit(cfg.unit), device.WithTimeout(scale(cfg.timeout, cfg.speedup)),
		device.WithSettleTime(scale(cfg.settle, cfg.speedup)), device.WithTracer(cfg.tracer)}
	return m
}

// moveOpts appends to buf the options of a move's Status from start to
// target (buf on the caller's stack spares an allocation).
func (m *Motor) moveOpts(buf []device.StatusOption, target any, start float64) []device.StatusOption {
	return append(append(buf, m.statusOpts...), device.WithTarget(target), device.WithStartPos(start))
}

// Name is the motor's name.
func (m *Motor) Name() string { return m.name }

// DeviceType is "SimMotor".
func (m *Motor) DeviceType() string { return "SimMotor" }

// Unit is the motor's engineering unit.
func (m *Motor) Unit() string { return m.cfg.unit }

// readback is where the motor is at now; m.mu must be held.
func (m *Motor) readback(now time.Time) float64 {
	if m.cur == nil {
		return m.pos
	}
	t := now.Sub(m.cur.t0).Seconds() * m.cfg.speedup
	if t >= m.cur.endT {
		return m.cur.end
	}
	return m.cur.prof.at(t)
}

// halt freezes the motor where it is now and takes the move in progress
// away from its goroutine; m.mu must be held. It returns the move (nil if
// there was none) and where it stopped.
func (m *Motor) halt(now time.Time) (*move, float64) {
	mv := m.cur
	if mv == nil {
		return nil, m.pos
	}
	m.pos = m.readback(now)
	m.cur = nil
	close(mv.stop)
	return mv, m.pos
}

// Position is the readback now.
func (m *Motor) Position() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readback(time.Now())
}

// Moving reports whether a move is in progress (settling excluded).
func (m *Motor) Moving() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur != nil
}

// Set starts a move to value (float64, float32, int or int64) from the
// current readback and returns its Status at once. The Status fails at
// once for a value that is not a number or outside the limits, and when
// the motor is shut down. A move in progress is superseded: its Status ends
// with device.ErrCancelled. When the Status ends before arrival (timeout,
// ctx cancelled), the motor stops where it is.
func (m *Motor) Set(ctx context.Context, value any) *device.Status {
	var buf [8]device.StatusOption
	target, err := number(value)
	if err != nil {
		return device.Finished(ctx, fmt.Errorf("set %s: %w", m.name, err), m.moveOpts(buf[:0], value, m.Position())...)
	}
	if m.cfg.limits && (target < m.cfg.lo || target > m.cfg.hi) {
		return device.Finished(ctx, fmt.Errorf("move %s to %g: %w [%g, %g]", m.name, target, ErrOutOfLimits, m.cfg.lo, m.cfg.hi),
			m.moveOpts(buf[:0], target, m.Position())...)
	}
	var fault error
	if m.cfg.fault != nil {
		fault = m.cfg.fault(target)
	}

	m.mu.Lock()
	if m.closed {
		pos := m.pos
		m.mu.Unlock()
		return device.Finished(ctx, fmt.Errorf("set %s: %w", m.name, ErrClosed), m.moveOpts(buf[:0], target, pos)...)
	}
	now := time.Now()
	old, start := m.halt(now)
	mv := &move{prof: newProfile(start, target, m.cfg.velocity, m.cfg.accel), end: target, t0: now,
		stop: make(chan struct{}), exited: make(chan struct{})}
	mv.endT = mv.prof.duration()
	if fault != nil {
		// The profile is symmetric: halfway in distance is halfway in time.
		mv.endT, mv.end = mv.endT/2, start+(target-start)/2
		mv.fault = fmt.Errorf("move %s to %g failed at %g: %w", m.name, target, mv.end, fault)
	}
	mv.status = device.NewStatus(ctx, m.moveOpts(buf[:0], target, start)...)
	m.cur, m.setpoint = mv, target
	go m.run(mv, realDuration(mv.endT, m.cfg.speedup))
	m.mu.Unlock()

	if old != nil {
		old.status.SetFinishPos(start)
		old.status.Cancel(fmt.Sprintf("superseded by a move to %g", target))
		<-old.exited
	}
	return mv.status
}

// run waits until mv arrives (or fails, on a fault), is taken over (Stop,
// a new Set, Shutdown), or its Status ends for another reason.
func (m *Motor) run(mv *move, d time.Duration) {
	defer close(mv.exited)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-mv.stop:
		// Whoever closed stop froze the motor and ends the Status.
	case <-mv.status.Done():
		// Timeout or ctx cancelled: stop where we are.
		m.mu.Lock()
		if m.cur == mv {
			m.halt(time.Now())
		}
		m.mu.Unlock()
	case <-timer.C:
		m.mu.Lock()
		if m.cur != mv {
			m.mu.Unlock()
			return
		}
		m.pos, m.cur = mv.end, nil
		m.mu.Unlock()
		mv.status.SetFinishPos(mv.end)
		mv.status.Finish(mv.fault)
	}
}

// Stop stops the move in progress where the motor is (device.Stoppable);
// its Status ends with device.ErrCancelled ("stopped"). Without a move it
// does nothing. It returns once the move's goroutine has (at once: the
// goroutine only waits for the move's end or its stop), and always nil.
// The motor stays usable; Shutdown ends it.
func (m *Motor) Stop(context.Context) error {
	return m.stopWith(context.Background(), "stopped", false)
}

// Shutdown ends the motor: it stops any move as Stop does, waits for the
// move's goroutine, or for ctx (then it returns ctx's error, wrapped; the
// goroutine returns on its own), and makes every later Set fail with
// ErrClosed. Once it returned nil, no goroutine of the motor is left. It
// may be called more than once.
func (m *Motor) Shutdown(ctx context.Context) error {
	return m.stopWith(ctx, "motor shut down", true)
}

func (m *Motor) stopWith(ctx context.Context, reason string, closing bool) error {
	m.mu.Lock()
	if closing {
		m.closed = true
	}
	mv, at := m.halt(time.Now())
	m.mu.Unlock()
	if mv == nil {
		return nil
	}
	mv.status.SetFinishPos(at)
	mv.status.Cancel(reason)
	select {
	case <-mv.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shut down %s: waiting for the move's goroutine: %w", m.name, ctx.Err())
	}
}

// Read returns the readback (key <name>) and the last target
// (<name>_setpoint), float64 in the motor's unit.
func (m *Motor) Read(ctx context.Context) (map[string]device.Reading, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", m.name, err)
	}
	m.mu.Lock()
	now := time.Now()
	pos, sp := m.readback(now), m.setpoint
	m.mu.Unlock()
	return map[string]device.Reading{
		m.name:               {Value: pos, Timestamp: now},
		m.name + "_setpoint": {Value: sp, Timestamp: now},
	}, nil
}

// Describe describes what Read returns.
func (m *Motor) Describe(context.Context) (map[string]device.DataKey, error) {
	key := func(k string) device.DataKey {
		return device.DataKey{Source: "SIM:" + k, DType: "number", Shape: []int{}, Units: m.cfg.unit}
	}
	return map[string]device.DataKey{m.name: key(m.name), m.name + "_setpoint": key(m.name + "_setpoint")}, nil
}

// Stage records the call; the motor needs no preparation.
func (m *Motor) Stage(context.Context) error {
	m.mu.Lock()
	m.stages++
	m.mu.Unlock()
	return nil
}

// Unstage records the call.
func (m *Motor) Unstage(context.Context) error {
	m.mu.Lock()
	m.unstages++
	m.mu.Unlock()
	return nil
}

// StageCounts reports how many times Stage and Unstage were called.
func (m *Motor) StageCounts() (stages, unstages int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stages, m.unstages
}

// number converts a Set value to a finite float64.
func number(v any) (float64, error) {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case float32:
		x = float64(n)
	case int:
		x = float64(n)
	case int64:
		x = float64(n)
	default:
		return 0, fmt.Errorf("value of type %T: %w", v, ErrBadValue)
	}
	if !finite(x) {
		return 0, fmt.Errorf("value %v: %w", x, ErrBadValue)
	}
	return x, nil
}

// scale is the real duration of a physical one at speedup.
func scale(d time.Duration, speedup float64) time.Duration {
	if d <= 0 {
		return 0
	}
	return realDuration(d.Seconds(), speedup)
}
