package leanspan

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// nonRecording is the span a sampler's Drop makes: it carries its span
// context and does nothing else (the SDK's nonRecordingSpan, span.go).
type nonRecording struct {
	embedded.Span

	tracer *Tracer
	sc     trace.SpanContext
}

var _ trace.Span = (*nonRecording)(nil)

func (s *nonRecording) SpanContext() trace.SpanContext        { return s.sc }
func (*nonRecording) IsRecording() bool                       { return false }
func (*nonRecording) SetStatus(codes.Code, string)            {}
func (*nonRecording) SetAttributes(...attribute.KeyValue)     {}
func (*nonRecording) End(...trace.SpanEndOption)              {}
func (*nonRecording) RecordError(error, ...trace.EventOption) {}
func (*nonRecording) AddEvent(string, ...trace.EventOption)   {}
func (*nonRecording) AddLink(trace.Link)                      {}
func (*nonRecording) SetName(string)                          {}
func (s *nonRecording) TracerProvider() trace.TracerProvider  { return s.tracer.provider }

// standIn is a recording span seen as a non-recording one: the same
// memory under a type whose methods change nothing.
type standIn Span

// StandIn returns a non-recording span with s's span context, to stand in
// for a child of s that is not recorded (telemetry's gated-off topics):
// what is started from it is s's child, and ending it does not end s. It
// is s itself under another type, so it costs no allocation. Its
// TracerProvider is the no-op one, as noop.Span's.
func (s *Span) StandIn() trace.Span { return (*standIn)(s) }

var _ trace.Span = (*standIn)(nil)

func (s *standIn) SpanContext() trace.SpanContext        { return s.sc }
func (*standIn) IsRecording() bool                       { return false }
func (*standIn) SetStatus(codes.Code, string)            {}
func (*standIn) SetAttributes(...attribute.KeyValue)     {}
func (*standIn) End(...trace.SpanEndOption)              {}
func (*standIn) RecordError(error, ...trace.EventOption) {}
func (*standIn) AddEvent(string, ...trace.EventOption)   {}
func (*standIn) AddLink(trace.Link)                      {}
func (*standIn) SetName(string)                          {}
func (*standIn) TracerProvider() trace.TracerProvider    { return noop.NewTracerProvider() }
