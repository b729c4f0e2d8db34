package telemetry

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// The announcement record's attributes and values (docs/api.md, the
// partial-span heartbeat convention of the OpenTelemetry contrib
// proposals).
const (
	attrPartialEvent     = "partial.event"
	attrPartialFrequency = "partial.frequency"
	attrPartialBodyType  = "partial.body.type"
	eventHeartbeat       = "heartbeat"
	eventStop            = "stop"
	bodyTypeJSON         = "json/v1"
)

// The bounds of one announcement's body. The span's attributes, events
// and links share announceBytes (keys, names and values; see
// otlpjson.Limits); a string value is cut at announceValueBytes; each list
// holds at most announceItems. A body still larger than maxBodyBytes (JSON
// escaping can make text up to six times longer) is sent as the span's
// skeleton: ids, parent, name, kind, times and status, with the dropped
// counts set. So one announcement never allocates more than a few hundred
// KiB, whatever the span holds.
const (
	announceBytes      = 64 << 10
	announceValueBytes = 4 << 10
	announceItems      = 128
	maxBodyBytes       = 256 << 10
	skeletonValueBytes = 256
)

var (
	fullLimits     = otlpjson.Limits{Bytes: announceBytes, ValueBytes: announceValueBytes, Items: announceItems}
	skeletonLimits = otlpjson.Limits{ValueBytes: skeletonValueBytes}
)

// emit sends one announcement of s: a heartbeat with the interval freq, or
// the stop record (freq 0) of a span that has ended.
func (a *announcer) emit(s sdktrace.ReadOnlySpan, event string, freq time.Duration, now time.Time) {
	body, trimmed, ok := encodeSpan(s)
	if !ok {
		a.c.inflight.broken.Add(1)
		return
	}
	if trimmed {
		a.c.inflight.trimmed.Add(1)
	}
	var r log.Record
	r.SetTimestamp(now)
	r.SetBody(attribute.StringValue(body))
	attrs := [3]attribute.KeyValue{attribute.String(attrPartialEvent, event), attribute.String(attrPartialBodyType, bodyTypeJSON)}
	n := 2
	if freq > 0 {
		attrs[n] = attribute.String(attrPartialFrequency, frequencyText(freq))
		n++
	}
	r.AddAttributes(attrs[:n]...)
	a.logger.Emit(trace.ContextWithSpanContext(context.Background(), s.SpanContext()), r)
}

// frequencyText writes an interval as a Go duration in milliseconds
// ("10000ms"), the partial.frequency convention.
func frequencyText(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// encodeSpan is the body of an announcement: OTLP/JSON TracesData holding
// the emitter's resource, one scope and the span as it is now, within the
// bounds above. ok is false only if pdata cannot encode it.
func encodeSpan(s sdktrace.ReadOnlySpan) (body string, trimmed, ok bool) {
	var m ptrace.JSONMarshaler
	td, trimmed := otlpjson.BoundedSpan(s, fullLimits)
	b, err := m.MarshalTraces(td)
	if err == nil && len(b) <= maxBodyBytes {
		return string(b), trimmed, true
	}
	td, _ = otlpjson.BoundedSpan(s, skeletonLimits)
	if b, err = m.MarshalTraces(td); err != nil || len(b) > maxBodyBytes {
		return "", true, false
	}
	return string(b), true, true
}
