package leanspan

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// normalizer normalises attribute values as the SDK does (sdk/trace
// span.go normAttr; sdk/internal/attrnorm truncate.go, dedup.go), which
// an outside package cannot import. Strings, byte slices and string slices
// (the values sightline sets) are cut here, with the SDK's code; slice and
// map values, whose deduplication and depth limit take attrnorm's ~1,000
// lines, go through a span of a private SDK TracerProvider with the same
// value limits: exact by construction, and only as costly as an SDK span
// for the rare span that carries them.
type normalizer struct {
	lengthLimit int
	limits      sdktrace.SpanLimits

	once   sync.Once
	tracer trace.Tracer
}

func newNormalizer(l sdktrace.SpanLimits) *normalizer {
	return &normalizer{
		lengthLimit: l.AttributeValueLengthLimit,
		limits: sdktrace.SpanLimits{
			AttributeValueLengthLimit:   l.AttributeValueLengthLimit,
			AttributeValueDepthLimit:    l.AttributeValueDepthLimit,
			AttributeCountLimit:         -1,
			EventCountLimit:             -1,
			LinkCountLimit:              -1,
			AttributePerEventCountLimit: -1,
			AttributePerLinkCountLimit:  -1,
		},
	}
}

// sdkSpan returns a recording span of the private SDK provider; it is
// never ended and holds no processor.
func (n *normalizer) sdkSpan() sdktrace.ReadWriteSpan {
	n.once.Do(func() {
		tp := sdktrace.NewTracerProvider(
			sdktrace.WithRawSpanLimits(n.limits),
			sdktrace.WithSampler(sdktrace.AlwaysSample()),
		)
		n.tracer = tp.Tracer("leanspan/normalize")
	})
	_, sp := n.tracer.Start(context.Background(), "normalize")
	rw, _ := sp.(sdktrace.ReadWriteSpan)
	return rw
}

// attr is the SDK's normAttr for a span attribute.
func (n *normalizer) attr(a attribute.KeyValue) attribute.KeyValue {
	switch a.Value.Type() {
	case attribute.SLICE, attribute.MAP:
		sp := n.sdkSpan()
		if sp == nil {
			return a
		}
		sp.SetAttributes(a)
		if got := sp.Attributes(); len(got) == 1 {
			return got[0]
		}
		return a
	}
	if n.lengthLimit < 0 {
		return a
	}
	switch a.Value.Type() {
	case attribute.STRING:
		if s := a.Value.AsString(); len(s) > n.lengthLimit {
			a.Value = attribute.StringValue(truncate(n.lengthLimit, s))
		}
	case attribute.BYTESLICE:
		if s := a.Value.AsString(); len(s) > n.lengthLimit {
			a.Value = attribute.ByteSliceValue([]byte(s[:n.lengthLimit]))
		}
	case attribute.STRINGSLICE:
		ss := a.Value.AsStringSlice()
		changed := false
		for i, s := range ss {
			if len(s) > n.lengthLimit {
				ss[i] = truncate(n.lengthLimit, s)
				changed = changed || ss[i] != s
			}
		}
		if changed {
			a.Value = attribute.StringSliceValue(ss)
		}
	}
	return a
}

// list is the SDK's attrnorm.KeyValuesDedupLimitDepth for event and link
// attributes: only slice and map values change.
func (n *normalizer) list(kvs []attribute.KeyValue) []attribute.KeyValue {
	nested := false
	for _, kv := range kvs {
		if t := kv.Value.Type(); t == attribute.SLICE || t == attribute.MAP {
			nested = true
			break
		}
	}
	if !nested {
		return kvs
	}
	sp := n.sdkSpan()
	if sp == nil {
		return kvs
	}
	sp.AddEvent("normalize", trace.WithAttributes(kvs...))
	if ev := sp.Events(); len(ev) == 1 {
		return ev[0].Attributes
	}
	return kvs
}

// truncate is the SDK's attrnorm.truncate: s cut to limit characters of
// UTF-8 (limit < 0: unchanged); when cut, invalid bytes are dropped first.
func truncate(limit int, s string) string {
	if limit < 0 || len(s) <= limit {
		return s
	}
	var b strings.Builder
	count := 0
	for i, c := range s {
		if c != utf8.RuneError {
			count++
			if count > limit {
				return s[:i]
			}
			continue
		}
		if limit == 0 {
			return ""
		}
		if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
			b.Grow(len(s) - 1)
			_, _ = b.WriteString(s[:i])
			s = s[i:]
			break
		}
		count++
		if count > limit {
			return s[:i]
		}
	}
	if b.Cap() == 0 {
		return s
	}
	for i := 0; i < len(s) && count < limit; {
		c := s[i]
		if c < utf8.RuneSelf {
			_ = b.WriteByte(c)
			i++
			count++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 {
			i++
			continue
		}
		_, _ = b.WriteString(s[i : i+size])
		i += size
		count++
	}
	return b.String()
}
