package device

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/attrs"
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

// StatusOptions describe the operation a Status tracks.
type StatusOptions struct {
	// Type is the status_type; default TypeStatus.
	Type string
	// Device is the device doing the operation (device_name, device_type).
	Device Device
	// Timeout ends the Status with ErrTimeout when the operation has not
	// finished by then; 0 means no timeout.
	Timeout time.Duration
	// SettleTime is waited after the device reports success, before the
	// Status is done.
	SettleTime time.Duration
	// Target, StartPos and Unit describe a move.
	Target   any
	StartPos any
	Unit     string
	// Tracer makes the spans; nil means the tracer named TracerName of the
	// TracerProvider in the creating context (ContextWithTracerProvider),
	// else of the global TracerProvider.
	Tracer trace.Tracer
}

// Status is an operation in progress on a device. The device completes it
// with Finish; whoever waits uses Done, Wait or AddCallback. All methods
// are safe for concurrent use.
type Status struct {
	opts   StatusOptions
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

// NewStatus starts tracking an operation. Its span is a child of ctx; when
// ctx is cancelled before the operation finishes, the Status ends with
// ErrCancelled.
func NewStatus(ctx context.Context, opts StatusOptions) *Status {
	return newStatus(ctx, opts, true)
}

// newStatus builds a Status; watch makes ctx's cancellation end it.
func newStatus(ctx context.Context, opts StatusOptions, watch bool) *Status {
	if opts.Type == "" {
		opts.Type = TypeStatus
	}
	s := &Status{opts: opts, tracer: opts.Tracer, done: make(chan struct{})}
	if s.tracer == nil {
		s.tracer = tracerFrom(ctx)
	}
	name, kv := opts.Type, []attribute.KeyValue{attribute.String("status_type", opts.Type),
		attribute.Float64("settle_time", opts.SettleTime.Seconds()),
		attribute.Float64("start_time", unixSeconds(time.Now()))}
	if opts.Device != nil {
		name += " " + opts.Device.Name()
		kv = append(kv, attribute.String("device_name", opts.Device.Name()), attribute.String("device_type", TypeOf(opts.Device)))
	}
	if opts.Timeout > 0 {
		kv = append(kv, attribute.Float64("timeout", opts.Timeout.Seconds()))
	} else {
		kv = append(kv, attribute.Bool("no_timeout_given", true))
	}
	if opts.Target != nil {
		kv = append(kv, attrs.Value("target", opts.Target))
	}
	if opts.StartPos != nil {
		kv = append(kv, attrs.Value("start_pos", opts.StartPos))
	}
	if opts.Unit != "" {
		kv = append(kv, attribute.String("unit", opts.Unit))
	}
	_, s.span = s.tracer.Start(ctx, name, trace.WithAttributes(kv...))
	// The callbacks below may fire at once; complete takes the lock, so
	// they wait until both are assigned.
	s.mu.Lock()
	defer s.mu.Unlock()
	if opts.Timeout > 0 {
		s.timer = time.AfterFunc(opts.Timeout, func() {
			s.complete(fmt.Errorf("%w: %s did not finish within %v", ErrTimeout, s.what(), opts.Timeout))
		})
	}
	if watch && ctx.Done() != nil {
		s.stopCtx = context.AfterFunc(ctx, func() {
			s.complete(fmt.Errorf("%w: %s: %v", ErrCancelled, s.what(), context.Cause(ctx)))
		})
	}
	return s
}

// Finished returns a Status that is already complete with err (for
// operations that finish at once).
func Finished(ctx context.Context, opts StatusOptions, err error) *Status {
	opts.SettleTime, opts.Timeout = 0, 0
	s := newStatus(ctx, opts, false) // complete at once: nothing may race it
	s.complete(err)
	return s
}

func (s *Status) what() string {
	if s.opts.Device != nil {
		return s.opts.Type + " of " + s.opts.Device.Name()
	}
	return s.opts.Type
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
	settle := s.opts.SettleTime
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

	kv := []attribute.KeyValue{attribute.Float64("finish_time", unixSeconds(time.Now())), attribute.Bool("success", err == nil)}
	if finishPos != nil {
		kv = append(kv, attrs.Value("finish_pos", finishPos))
	}
	s.span.SetAttributes(kv...)
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

// Type is the status_type; Device the device (may be nil).
func (s *Status) Type() string   { return s.opts.Type }
func (s *Status) Device() Device { return s.opts.Device }

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
	name := "wait " + s.opts.Type
	if s.opts.Device != nil {
		name += " " + s.opts.Device.Name()
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

type tracerProviderKey struct{}

// ContextWithTracerProvider returns ctx carrying tp: a Status created under
// it without a Tracer of its own makes its spans with tp. A device server
// uses it to give every call the hosting device's TracerProvider.
func ContextWithTracerProvider(ctx context.Context, tp trace.TracerProvider) context.Context {
	return context.WithValue(ctx, tracerProviderKey{}, tp)
}

func tracerFrom(ctx context.Context) trace.Tracer {
	if tp, ok := ctx.Value(tracerProviderKey{}).(trace.TracerProvider); ok && tp != nil {
		return tp.Tracer(TracerName)
	}
	return otel.Tracer(TracerName)
}
