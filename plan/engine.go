package plan

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// TracerName is the instrumentation scope of the engine's spans (user
// spans, and kernel spans on a kernel-topic tracer of the same name).
const TracerName = "github.com/sightline-dev/sightline/plan"

// Errors Run returns (wrapped, with the reason).
var (
	// ErrAbort: the run was aborted (Abort, or Run's ctx ended).
	ErrAbort = errors.New("run aborted")
	// ErrHalt: the run was halted (Halt).
	ErrHalt = errors.New("run halted")
	// ErrRunning: Run was called while another Run of the engine runs.
	ErrRunning = errors.New("run engine is already running")
	// ErrIdle: a control request (Pause, Abort...) came while no Run runs.
	ErrIdle = errors.New("run engine is idle")
)

// Exit statuses of a run (stop document's exit_status, the run span's
// exit_status attribute).
const (
	ExitSuccess = "success"
	ExitAbort   = "abort"
	ExitHalt    = "halt"
	ExitFail    = "fail"
	ExitStop    = "stop"
)

// Document is a Bluesky document: start, descriptor, event or stop.
// Subscribers share it and must not modify it.
type Document = map[string]any

// RunEngine executes plans, Bluesky's RunEngine: it handles each message
// as the plan yields it, emits documents to subscribers and traces the
// run. One Run at a time; the control methods (Pause, Resume, Abort, Halt,
// Stop) and Subscribe may be called from any goroutine.
type RunEngine struct {
	tracer trace.Tracer // user spans
	kernel trace.Tracer // engine internals (topic kernel)
	now    func() time.Time
	newUID func() string

	naming  device.Naming // never ""
	bluesky bool          // naming == device.NamingBluesky
	objRepr bool          // msg.obj is device.Repr, not the name

	subMu  sync.Mutex
	subs   atomic.Pointer[[]subscriber]
	subSeq uint64

	scanID atomic.Int64
	ctl    control
}

type subscriber struct {
	id uint64
	f  func(name string, doc Document)
}

// engineConfig is what NewRunEngine takes.
type engineConfig struct {
	tp     trace.TracerProvider
	now    func() time.Time
	newUID func() string
	scanID int

	naming    device.Naming // WithNaming, when namingSet
	namingSet bool
	objRepr   *bool                            // nil: by the naming
	getenv    func(name string) (string, bool) // nil: os.LookupEnv
}

// Option configures a RunEngine (NewRunEngine).
type Option interface{ applyEngine(*engineConfig) }

type engineOption func(*engineConfig)

func (o engineOption) applyEngine(c *engineConfig) { o(c) }

// WithTracerProvider sets where the engine's spans go. Default (and nil):
// the global TracerProvider, otel.GetTracerProvider, at NewRunEngine.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return engineOption(func(c *engineConfig) { c.tp = tp })
}

// WithClock sets the clock of document times, for reproducible documents
// (golden files, examples). Default (and nil): time.Now.
func WithClock(now func() time.Time) Option {
	return engineOption(func(c *engineConfig) {
		if now != nil {
			c.now = now
		}
	})
}

// WithUIDs sets how document uids are made, for reproducible documents.
// Default (and nil): random (version 4) UUIDs.
func WithUIDs(newUID func() string) Option {
	return engineOption(func(c *engineConfig) {
		if newUID != nil {
			c.newUID = newUID
		}
	})
}

// WithScanID sets the scan_id of the engine's next run (default 1); each
// run opened adds one, like Bluesky's RE.md["scan_id"].
func WithScanID(next int) Option {
	return engineOption(func(c *engineConfig) { c.scanID = next })
}

// NewRunEngine returns an idle engine. It holds no goroutine and needs no
// shutdown: Run starts none that outlives it. It never fails: a bad setting
// (see Validate) is reported to otel.Handle and replaced by its default.
func NewRunEngine(opts ...Option) *RunEngine {
	c := newEngineConfig(opts)
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	re := &RunEngine{
		tracer: c.tp.Tracer(TracerName),
		kernel: c.tp.Tracer(TracerName, topic.Kernel.TracerOption()),
		now:    c.now,
		newUID: c.newUID,
	}
	re.applyNaming(&c)
	re.scanID.Store(int64(c.scanID - 1))
	re.ctl.wake = make(chan struct{}, 1)
	return re
}

func newEngineConfig(opts []Option) engineConfig {
	c := engineConfig{now: time.Now, newUID: newUUID, scanID: 1}
	for _, o := range opts {
		if o != nil {
			o.applyEngine(&c)
		}
	}
	return c
}

// Subscribe calls f with every document the engine emits (name is
// "start", "descriptor", "event" or "stop"), synchronously in Run's
// goroutine, in order. A panic in f fails the run. unsubscribe stops the
// calls; it may be called more than once, from any goroutine.
func (re *RunEngine) Subscribe(f func(name string, doc Document)) (unsubscribe func()) {
	re.subMu.Lock()
	defer re.subMu.Unlock()
	re.subSeq++
	id := re.subSeq
	var next []subscriber
	if old := re.subs.Load(); old != nil {
		next = append(next, *old...)
	}
	next = append(next, subscriber{id: id, f: f})
	re.subs.Store(&next)
	return func() {
		re.subMu.Lock()
		defer re.subMu.Unlock()
		old := re.subs.Load()
		if old == nil {
			return
		}
		next := make([]subscriber, 0, len(*old))
		for _, s := range *old {
			if s.id != id {
				next = append(next, s)
			}
		}
		re.subs.Store(&next)
	}
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
