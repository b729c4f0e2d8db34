package leanspan

import (
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// inlineAttrs is how many attributes a span holds before its attribute
// slice moves to the heap: the 11 of a device server's SERVER span, with
// the span still in one allocation of Go's 1024-byte size class.
const inlineAttrs = 11

// Span is a recording span that behaves as the SDK's recording span does
// (sdk/trace span.go recordingSpan): the same limits, drops, counts and
// deduplication, so that its [Span.Snapshot] equals the SDK's for the same
// calls. It is safe for concurrent use. After End every method that
// changes it does nothing.
type Span struct {
	embedded.Span

	mu     sync.Mutex
	tracer *Tracer

	name     string
	sc       trace.SpanContext
	parent   trace.SpanContext
	kind     trace.SpanKind
	start    time.Time
	end      time.Time // zero while recording
	status   sdktrace.Status
	children int

	// attrs holds the attributes in the order set; it may hold a key more
	// than once while dirty (deduplicated when read, last value at the
	// first position, as the SDK). It starts on inline; shared marks a
	// backing array a reader holds, copied before the next write.
	attrs        []attribute.KeyValue
	droppedAttrs int
	dirty        bool
	shared       bool

	ext *extras // events and links; nil until the first

	inline [inlineAttrs]attribute.KeyValue
}

var _ trace.Span = (*Span)(nil)

// SpanContext returns the span's context.
func (s *Span) SpanContext() trace.SpanContext { return s.sc }

// IsRecording reports whether the span has not yet ended.
func (s *Span) IsRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end.IsZero()
}

// TracerProvider returns a provider of tracers on the span's configuration.
func (s *Span) TracerProvider() trace.TracerProvider { return s.tracer.provider }

// SetStatus sets the status unless a status of a higher code is set
// (Ok > Error > Unset): Ok is final, a later Error replaces an Error's
// description, Unset changes nothing. The description is kept for Error
// only.
func (s *Span) SetStatus(code codes.Code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.end.IsZero() || s.status.Code > code {
		return
	}
	st := sdktrace.Status{Code: code}
	if code == codes.Error {
		st.Description = description
	}
	s.status = st
}

// SetName replaces the span's name.
func (s *Span) SetName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end.IsZero() {
		s.name = name
	}
}

// End ends the span at the trace.WithTimestamp time, or now (monotonic
// from the start), and calls the Config's OnEnd. Called while panicking
// (defer span.End()), it adds an exception event for the panic, with a
// stack trace under trace.WithStackTrace(true), and the panic goes on, as
// the SDK's End does. A second End does nothing.
func (s *Span) End(options ...trace.SpanEndOption) {
	et := s.start.Add(time.Since(s.start))
	s.mu.Lock()
	if !s.end.IsZero() {
		s.mu.Unlock()
		return
	}
	config := trace.NewSpanEndConfig(options...)
	if !s.tracer.cfg.DisablePanicRecording {
		if recovered := recover(); recovered != nil {
			// Record but do not stop the panic; the SDK does the same.
			defer panic(recovered)
			attrs := []attribute.KeyValue{
				semconv.ExceptionType(typeStr(recovered)),
				semconv.ExceptionMessage(fmt.Sprint(recovered)),
			}
			if config.StackTrace() {
				attrs = append(attrs, semconv.ExceptionStacktrace(recordStackTrace()))
			}
			s.addEvent(semconv.ExceptionEventName, trace.WithAttributes(attrs...))
		}
	}
	if ts := config.Timestamp(); !ts.IsZero() {
		s.end = ts
	} else {
		s.end = et
	}
	s.mu.Unlock()
	if s.tracer.cfg.OnEnd != nil {
		s.tracer.cfg.OnEnd(s)
	}
}

// addChild counts a span started with s as its parent while s records.
func (s *Span) addChild() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end.IsZero() {
		s.children++
	}
}
