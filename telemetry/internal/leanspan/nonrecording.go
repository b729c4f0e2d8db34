package leanspan

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
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
