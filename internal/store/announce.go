package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Announcements: log records following the partial-span heartbeat
// convention of OpenTelemetry contrib's proposals (G-Research's
// otel-partial-dotnet and otel-partial-collector, the .NET contrib's
// PartialActivityProcessor, the Python contrib's
// opentelemetry-processor-partial-span), which say that a span is open
// (a heartbeat, repeated every interval while it is) or has ended (a
// stop record, which carries the ended span). docs/api.md writes down the
// shape; in short, a record announces when its attributes say
//
//	partial.event = "heartbeat" | "stop"      (or the Python contrib's
//	span.state = "heartbeat" | "ended" with log.body.type)
//	partial.frequency = "10000ms"             (heartbeats; default 10 s)
//	partial.body.type = "json/v1" | "proto"   (absent: proto)
//
// and its body holds an OTLP TracesData with one span: OTLP/JSON in a
// string (json/v1), base64 of protobuf in a string (proto), or protobuf
// as bytes. The store consumes such records (announce_ingest.go) instead
// of storing them as log records; one that claims the convention but
// cannot be read is rejected with a reason, never stored as half a span.

// The convention's attributes.
const (
	attrPartialEvent     = "partial.event"
	attrPartialFrequency = "partial.frequency"
	attrPartialBodyType  = "partial.body.type"
	attrSpanState        = "span.state"    // the Python contrib's partial.event
	attrLogBodyType      = "log.body.type" // the Python contrib's partial.body.type
)

// Heartbeat intervals: the default, for a heartbeat without a readable
// partial.frequency, and the bounds an announced one is clamped to.
const (
	DefaultHeartbeatInterval = 10 * time.Second
	minHeartbeatInterval     = 10 * time.Millisecond
	maxHeartbeatInterval     = 24 * time.Hour
)

type announceKind int

const (
	kindHeartbeat announceKind = iota + 1
	kindStop
)

// announcement is a decoded announcement record.
type announcement struct {
	kind      announceKind
	frequency time.Duration // heartbeats: the interval announced, clamped
	// rs, ss and span are the body's one span with its resource and scope.
	rs   ptrace.ResourceSpans
	ss   ptrace.ScopeSpans
	span ptrace.Span
	// reserved is what decoding reserved of the budget, to release once
	// the span is encoded.
	reserved int64
}

// claimsConvention reports whether a log record with attrs claims to be an
// announcement: it has partial.event, or span.state with log.body.type.
func claimsConvention(attrs pcommon.Map) bool {
	if _, ok := attrs.Get(attrPartialEvent); ok {
		return true
	}
	if _, ok := attrs.Get(attrSpanState); ok {
		_, typed := attrs.Get(attrLogBodyType)
		return typed
	}
	return false
}

// readAnnouncement decodes a record that claims the convention, its body
// within budget (nil: unbounded); the caller releases a.reserved. An
// error that is a rejection says why the record is rejected (a short
// phrase of a fixed set, for the partial success message); another is
// ctx's, ending while the body waited for budget.
func readAnnouncement(ctx context.Context, lr plog.LogRecord, maxBytes int, budget *decodeBudget) (announcement, error) {
	var a announcement
	attrs := lr.Attributes()
	event, hasEvent := attrs.Get(attrPartialEvent)
	if hasEvent {
		switch str(event) {
		case "heartbeat":
			a.kind = kindHeartbeat
		case "stop":
			a.kind = kindStop
		default:
			return a, rejectf("with an unknown partial.event (not heartbeat or stop)")
		}
	} else {
		state, _ := attrs.Get(attrSpanState)
		switch str(state) {
		case "heartbeat":
			a.kind = kindHeartbeat
		case "ended":
			a.kind = kindStop
		default:
			return a, rejectf("with an unknown span.state (not heartbeat or ended)")
		}
	}
	bodyType := ""
	for _, k := range []string{attrPartialBodyType, attrLogBodyType} {
		if v, ok := attrs.Get(k); ok {
			bodyType = str(v)
			break
		}
	}
	td, reserved, err := decodeBody(ctx, lr.Body(), bodyType, maxBytes, budget)
	if err != nil {
		return a, err
	}
	a.reserved = reserved
	if a.rs, a.ss, a.span, err = theSpan(td); err != nil {
		budget.release(reserved)
		return a, err
	}
	if a.kind == kindHeartbeat {
		a.frequency = frequencyOf(attrs)
		// An open span has no end yet: whatever the body says, it is
		// stored without one.
		a.span.SetEndTimestamp(a.span.StartTimestamp())
	} else if a.span.EndTimestamp() == 0 {
		budget.release(reserved)
		return a, rejectf("(stop) of a span without an end time")
	}
	if p := spanProblem(a.span); p != "" {
		budget.release(reserved)
		return a, rejectf("of a span %s", p)
	}
	return a, nil
}

// theSpan returns the one span of td, which must hold exactly one.
func theSpan(td ptrace.Traces) (ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span, error) {
	var rs ptrace.ResourceSpans
	var ss ptrace.ScopeSpans
	var sp ptrace.Span
	n := 0
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			if spans.Len() > 0 && n == 0 {
				rs, ss, sp = rss.At(i), sss.At(j), spans.At(0)
			}
			n += spans.Len()
		}
	}
	switch {
	case n == 0:
		return rs, ss, sp, rejectf("whose body holds no span")
	case n > 1:
		return rs, ss, sp, rejectf("whose body holds more than one span")
	}
	return rs, ss, sp, nil
}

// frequencyOf reads partial.frequency: a Go duration ("10000ms", "10s"),
// or a number of milliseconds (an integer, or its decimal string). A
// missing, unreadable or non-positive one is the default; others are
// clamped to [10ms, 24h].
func frequencyOf(attrs pcommon.Map) time.Duration {
	v, ok := attrs.Get(attrPartialFrequency)
	if !ok {
		return DefaultHeartbeatInterval
	}
	var d time.Duration
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			ms, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return DefaultHeartbeatInterval
			}
			d = millis(float64(ms))
		}
	case pcommon.ValueTypeInt:
		d = millis(float64(v.Int()))
	case pcommon.ValueTypeDouble:
		d = millis(v.Double())
	default:
		return DefaultHeartbeatInterval
	}
	if d <= 0 {
		return DefaultHeartbeatInterval
	}
	return min(max(d, minHeartbeatInterval), maxHeartbeatInterval)
}

// millis converts milliseconds to a duration, saturating (NaN is 0).
func millis(ms float64) time.Duration {
	switch {
	case ms != ms || ms <= 0:
		return 0
	case ms >= float64(math.MaxInt64/int64(time.Millisecond)):
		return math.MaxInt64
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// str is a value's string, "" for another type.
func str(v pcommon.Value) string {
	if v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return v.Str()
}

// rejection is why an announcement is rejected.
type rejection string

func (r rejection) Error() string { return string(r) }

func rejectf(format string, args ...any) error {
	return rejection("announcement " + fmt.Sprintf(format, args...))
}
