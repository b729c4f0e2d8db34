// Package topic names the two kinds of spans sightline tells apart, and lets
// instrumentation ask for a tracer of one kind using only the OpenTelemetry API.
//
// User spans describe what a person asked for: commands, plan steps, requests.
// Kernel spans describe the machinery underneath: transport, serialisation,
// engine internals. Kernel spans are off unless the component's topics
// include "kernel" (or "all"). A sightline TracerProvider reads the topic from
// the tracer's instrumentation attributes when the tracer is created and gates
// every span at start; any other TracerProvider ignores the attribute, so
// instrumentation that uses this package works with any SDK.
//
// This package imports only the OpenTelemetry API.
package topic

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Topic is a kind of span.
type Topic string

const (
	// User spans: what users asked for. On by default.
	User Topic = "user"
	// Kernel spans: transport, serialisation, engine internals. Off by default.
	Kernel Topic = "kernel"
)

// Key is the instrumentation-scope attribute that carries a tracer's topic.
const Key = attribute.Key("sightline.topic")

// Attribute returns the instrumentation-scope attribute for t.
func (t Topic) Attribute() attribute.KeyValue { return Key.String(string(t)) }

// TracerOption returns the option that asks a TracerProvider for a tracer of
// topic t:
//
//	tp.Tracer("example.com/engine", topic.Kernel.TracerOption())
func (t Topic) TracerOption() trace.TracerOption {
	return trace.WithInstrumentationAttributes(t.Attribute())
}

// Of returns the topic recorded in a tracer's instrumentation attributes, and
// User when none is recorded or the value is not a known topic.
func Of(attrs attribute.Set) Topic {
	v, ok := attrs.Value(Key)
	if ok && v.AsString() == string(Kernel) {
		return Kernel
	}
	return User
}
