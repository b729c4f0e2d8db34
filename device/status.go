package device

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TracerName is the instrumentation scope of Status spans.
const TracerName = "github.com/sightline-dev/sightline/device"

// Status types, as Ophyd names its status classes.
const (
	TypeStatus       = "Status"
	TypeMoveStatus   = "MoveStatus"
	TypeDeviceStatus = "DeviceStatus"
)

// Errors a Status ends with besides the device's own.
var (
	ErrTimeout   = errors.New("status timed out")
	ErrCancelled = errors.New("status cancelled")
)

// Status is an operation in progress on a device. The device completes it
// with Finish; whoever waits uses Done, Wait or AddCallback. All methods
// are safe for concurrent use.
type Status struct {
	cfg    statusConfig
	tracer trace.Tracer
	span   trace.Span
	done   chan struct{}

	mu        sync.Mutex
	finishing bool // Finish was called (settling), or the status completed
	completed bool
	err       error
	finishPos any
	callbacks []func(*Status)
	timer     *time.Timer
	stopCtx   func() bool
}

// NewStatus starts tracking an operation described by opts (WithType,
// WithDevice, WithTimeout, WithSettleTime, WithTarget, WithStartPos,
// WithUnit, WithTracer). Its span is a child of ctx; when ctx is cancelled
// before the operation finishes, the Status ends with ErrCancelled. A
// Status holds no goroutine: its timeout and settle time are timers, and
// it needs no shutdown.
func NewStatus(ctx context.Context, opts ...StatusOption) *Status {
	s := &Status{done: make(chan struct{})}
	s.cfg.apply(opts)
	s.start(ctx, true)
	return s
}

// start starts the Status's span and timers; watch makes ctx's
// cancellation end it.
func (s *Status) start(ctx context.Context, watch bool) {
	cfg := &s.cfg
	sc := statusCtxFrom(ctx)
	s.tracer = cfg.tracer
	if s.tracer == nil {
		tp := sc.tp
		if tp == nil {
			tp = otel.GetTracerProvider()
		}
		s.tracer = tp.Tracer(TracerName)
	}
	naming := sc.naming
	if naming == "" {
		naming = envNaming()
	}
	name := cfg.typ
	if naming == NamingBluesky {
		name = OphydStatusSpanName
	} else if cfg.device != nil {
		name += " " + cfg.device.Name()
	}
	_, s.span = s.tracer.Start(ctx, name)
	if s.span.IsRecording() { // else the attributes would be thrown away
		buf := getAttrBuf()
		*buf = cfg.appendStartAttrs(*buf, naming == NamingBluesky)
		s.span.SetAttributes(*buf...)
		putAttrBuf(buf)
	}
	// The callbacks below may fire at once; complete takes the lock, so
	// they wait until both are assigned.
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg.timeout > 0 {
		s.timer = time.AfterFunc(cfg.timeout, func() {
			s.complete(fmt.Errorf("%w: %s did not finish within %v", ErrTimeout, s.what(), cfg.timeout))
		})
	}
	if watch && ctx.Done() != nil {
		s.stopCtx = context.AfterFunc(ctx, func() {
			s.complete(fmt.Errorf("%w: %s: %v", ErrCancelled, s.what(), context.Cause(ctx)))
		})
	}
}

// Finished returns a Status, described by opts, that is already complete
// with err (for operations that finish at once); WithTimeout and
// WithSettleTime do not apply to it and are recorded as none.
func Finished(ctx context.Context, err error, opts ...StatusOption) *Status {
	s := &Status{done: make(chan struct{})}
	s.cfg.apply(opts)
	s.cfg.settleTime, s.cfg.timeout = 0, 0
	s.start(ctx, false) // complete at once: nothing may race it
	s.complete(err)
	return s
}

func (s *Status) what() string {
	if s.cfg.device != nil {
		return s.cfg.typ + " of " + s.cfg.device.Name()
	}
	return s.cfg.typ
}

// SetFinishPos records where a move ended (finish_pos); call it before
// Finish.
func (s *Status) SetFinishPos(v any) {
	s.mu.Lock()
	s.finishPos = v
	s.mu.Unlock()
}

// FinishPos is the position the device reported with SetFinishPos, or nil.
func (s *Status) FinishPos() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finishPos
}

// Finish is called by the device when the operation ends: err nil for
// success (the Status is done after the settle time), else the failure.
// Only the first call counts; it reports whether it was the first.
func (s *Status) Finish(err error) bool {
	s.mu.Lock()
	if s.finishing {
		s.mu.Unlock()
		return false
	}
	s.finishing = true
	settle := s.cfg.settleTime
	s.mu.Unlock()
	if err != nil || settle <= 0 {
		s.complete(err)
		return true
	}
	time.AfterFunc(settle, func() { s.complete(nil) })
	return true
}

// Cancel ends the Status with ErrCancelled and reason, unless it is done.
func (s *Status) Cancel(reason string) {
	s.complete(fmt.Errorf("%w: %s: %s", ErrCancelled, s.what(), reason))
}

// complete makes the Status done (first call only), ends its span and runs
// the callbacks.
func (s *Status) complete(err error) {
	s.mu.Lock()
	if s.completed {
		s.mu.Unlock()
		return
	}
	s.completed, s.finishing, s.err = true, true, err
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.stopCtx != nil {
		s.stopCtx()
	}
	callbacks := s.callbacks
	s.callbacks = nil
	finishPos := s.finishPos
	s.mu.Unlock()

	if s.span.IsRecording() {
		buf := getAttrBuf()
		*buf = appendFinishAttrs(*buf, err, finishPos)
		s.span.SetAttributes(*buf...)
		putAttrBuf(buf)
	}
	if err != nil {
		s.span.RecordError(err)
		s.span.SetStatus(codes.Error, err.Error())
	}
	s.span.End()
	close(s.done)
	for _, f := range callbacks {
		f(s)
	}
}

// Done is closed when the Status is complete.
func (s *Status) Done() <-chan struct{} { return s.done }

// IsDone reports whether the Status is complete.
func (s *Status) IsDone() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Err is nil while the Status runs and after success, else why it failed.
func (s *Status) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Success reports whether the Status is complete without error.
func (s *Status) Success() bool { return s.IsDone() && s.Err() == nil }

// Type is the status_type (WithType; TypeStatus by default).
func (s *Status) Type() string { return s.cfg.typ }

// Device is the device doing the operation (WithDevice), nil when none.
func (s *Status) Device() Device { return s.cfg.device }

// SpanContext is the span context of the Status's span.
func (s *Status) SpanContext() trace.SpanContext { return s.span.SpanContext() }

// AddCallback calls f once when the Status is complete: at once (in this
// goroutine) if it already is, else in the goroutine that completes it.
func (s *Status) AddCallback(f func(*Status)) {
	s.mu.Lock()
	if !s.completed {
		s.callbacks = append(s.callbacks, f)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	f(s)
}

// Wait blocks until the Status is complete or ctx ends, in a short span of
// its own ("wait <status_type> <device>", a child of ctx), and returns the
// Status's error or ctx's.
func (s *Status) Wait(ctx context.Context) error {
	name := "wait " + s.cfg.typ
	if s.cfg.device != nil {
		name += " " + s.cfg.device.Name()
	}
	_, span := s.tracer.Start(ctx, name, trace.WithLinks(trace.Link{SpanContext: s.span.SpanContext()}))
	defer span.End()
	select {
	case <-s.done:
		if err := s.Err(); err != nil {
			span.SetStatus(codes.Error, err.Error())
			return err
		}
		return nil
	case <-ctx.Done():
		span.SetStatus(codes.Error, "wait abandoned: "+ctx.Err().Error())
		return ctx.Err()
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
