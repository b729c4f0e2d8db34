package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/device"
)

// Detector is a simulated point detector looking at a Gaussian peak along
// a motor's axis: a trigger exposes for the exposure time and then reads
// amplitude·exp(-(x-center)²/(2σ²)) + noise counts (clipped at 0), x being
// the motor's readback at the end of the exposure. It is safe for
// concurrent use.
type Detector struct {
	name  string
	motor *Motor
	cfg   detectorConfig
	// statusOpts describe every trigger's Status, made once (options cost
	// an allocation each).
	statusOpts []device.StatusOption

	mu        sync.Mutex
	rng       *rand.Rand
	cur       *exposure // the trigger in flight, nil if none
	triggered bool      // a trigger completed
	value     float64   // counts of the last completed trigger
	at        time.Time // when it completed
	closed    bool
	stages    int
	unstages  int
}

// exposure is one trigger in flight and the goroutine that ends it.
type exposure struct {
	status *device.Status
	stop   chan struct{} // closed by whoever takes the trigger over
	exited chan struct{} // closed when the goroutine returns
}

var (
	_ device.Readable    = (*Detector)(nil)
	_ device.Triggerable = (*Detector)(nil)
	_ device.Stageable   = (*Detector)(nil)
	_ device.Typed       = (*Detector)(nil)
)

// NewDetector returns a detector whose peak lies along motor's axis. A nil
// motor is taken as one standing at 0.
func NewDetector(name string, motor *Motor, opts ...DetectorOption) *Detector {
	cfg := detectorConfig{common: common{speedup: 1}, sigma: 1, amplitude: 1000, exposure: 10 * time.Millisecond}
	for _, o := range opts {
		if o != nil {
			o.applyDetector(&cfg)
		}
	}
	if !cfg.noiseSet {
		cfg.noise = math.Abs(cfg.amplitude) / 100
	}
	seed1, seed2 := cfg.seed, cfg.seed
	if !cfg.seedSet {
		seed1, seed2 = rand.Uint64(), rand.Uint64()
	}
	d := &Detector{name: name, motor: motor, cfg: cfg, rng: rand.New(rand.NewPCG(seed1, seed2))}
	d.statusOpts = []device.StatusOption{device.WithType(device.TypeDeviceStatus), device.WithDevice(d), device.WithTracer(cfg.tracer)}
	return d
}

// Name is the detector's name.
func (d *Detector) Name() string { return d.name }

// DeviceType is "SimDetector".
func (d *Detector) DeviceType() string { return "SimDetector" }

// Exposure is the (physical) exposure time.
func (d *Detector) Exposure() time.Duration { return d.cfg.exposure }

// Expected is the noiseless reading with the motor at x.
func (d *Detector) Expected(x float64) float64 { return max(0, d.signal(x)) }

// signal is the peak at x: amplitude·exp(-(x-center)²/(2σ²)).
func (d *Detector) signal(x float64) float64 {
	dx := x - d.cfg.center
	return d.cfg.amplitude * math.Exp(-dx*dx/(2*d.cfg.sigma*d.cfg.sigma))
}

// Trigger starts an exposure and returns its Status (a DeviceStatus), done
// when the exposure time has passed and the reading is taken. A trigger
// still in flight is cancelled (device.ErrCancelled, "superseded"). When
// the Status ends early (ctx cancelled), no reading is taken.
func (d *Detector) Trigger(ctx context.Context) *device.Status {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return device.Finished(ctx, fmt.Errorf("trigger %s: %w", d.name, ErrClosed), d.statusOpts...)
	}
	old := d.takeOver()
	e := &exposure{status: device.NewStatus(ctx, d.statusOpts...), stop: make(chan struct{}), exited: make(chan struct{})}
	d.cur = e
	go d.run(e, scale(d.cfg.exposure, d.cfg.speedup))
	d.mu.Unlock()
	if old != nil {
		old.status.Cancel("superseded by a new trigger")
		<-old.exited
	}
	return e.status
}

// takeOver takes the trigger in flight (if any) away from its goroutine;
// d.mu must be held.
func (d *Detector) takeOver() *exposure {
	e := d.cur
	if e != nil {
		d.cur = nil
		close(e.stop)
	}
	return e
}

// run waits for the end of the exposure, then takes the reading.
func (d *Detector) run(e *exposure, dur time.Duration) {
	defer close(e.exited)
	timer := time.NewTimer(dur)
	defer timer.Stop()
	select {
	case <-e.stop:
		return // whoever closed stop ends the Status
	case <-e.status.Done():
		d.mu.Lock()
		if d.cur == e {
			d.cur = nil
		}
		d.mu.Unlock()
		return
	case <-timer.C:
	}
	x := 0.0
	if d.motor != nil {
		x = d.motor.Position()
	}
	d.mu.Lock()
	if d.cur != e || e.status.IsDone() {
		d.mu.Unlock()
		return
	}
	v := d.signal(x)
	if d.cfg.noise > 0 {
		v += d.cfg.noise * d.rng.NormFloat64()
	}
	d.value, d.at, d.triggered, d.cur = max(0, v), time.Now(), true, nil
	d.mu.Unlock()
	e.status.Finish(nil)
}

// Read returns the counts of the last completed trigger (key <name>) and
// the exposure time in seconds (<name>_exposure). It fails with
// ErrNotTriggered before the first trigger completed.
func (d *Detector) Read(ctx context.Context) (map[string]device.Reading, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", d.name, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.triggered {
		return nil, fmt.Errorf("read %s: %w", d.name, ErrNotTriggered)
	}
	return map[string]device.Reading{
		d.name:               {Value: d.value, Timestamp: d.at},
		d.name + "_exposure": {Value: d.cfg.exposure.Seconds(), Timestamp: d.at},
	}, nil
}

// Describe describes what Read returns.
func (d *Detector) Describe(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{
		d.name:               {Source: "SIM:" + d.name, DType: "number", Shape: []int{}, Units: "counts"},
		d.name + "_exposure": {Source: "SIM:" + d.name + "_exposure", DType: "number", Shape: []int{}, Units: "s"},
	}, nil
}

// Stage records the call; the detector needs no preparation.
func (d *Detector) Stage(context.Context) error {
	d.mu.Lock()
	d.stages++
	d.mu.Unlock()
	return nil
}

// Unstage records the call.
func (d *Detector) Unstage(context.Context) error {
	d.mu.Lock()
	d.unstages++
	d.mu.Unlock()
	return nil
}

// StageCounts reports how many times Stage and Unstage were called.
func (d *Detector) StageCounts() (stages, unstages int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stages, d.unstages
}

// Shutdown ends the detector: it cancels any trigger in flight, waits for
// its goroutine, or for ctx (then it returns ctx's error, wrapped; the
// goroutine returns on its own), and makes every later Trigger fail with
// ErrClosed. Once it returned nil, no goroutine of the detector is left.
// It may be called more than once.
func (d *Detector) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	e := d.takeOver()
	d.mu.Unlock()
	if e == nil {
		return nil
	}
	e.status.Cancel("detector shut down")
	select {
	case <-e.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shut down %s: waiting for the trigger's goroutine: %w", d.name, ctx.Err())
	}
}
