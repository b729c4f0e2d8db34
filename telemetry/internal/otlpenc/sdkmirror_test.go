package otlpenc_test

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// sdkRequest builds the generated ExportTraceServiceRequest the SDK's
// exporters marshal, the way their transform does (a condensed copy of
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/internal/tracetransform
// v1.47.0, which is internal and cannot be imported), so the benchmarks can
// time the SDK's transform and its proto.Marshal apart from its HTTP.
// Only the benchmarks use it; the tests compare with the real exporter.
func sdkRequest(spans []sdktrace.ReadOnlySpan) *coltracepb.ExportTraceServiceRequest {
	type key struct {
		r  attribute.Distinct
		is instrumentation.Scope
	}
	rsm := make(map[attribute.Distinct]*tracepb.ResourceSpans)
	ssm := make(map[key]*tracepb.ScopeSpans)
	var order []*tracepb.ResourceSpans
	for _, sd := range spans {
		rk, scope := sd.Resource().Equivalent(), sd.InstrumentationScope()
		ss, sok := ssm[key{rk, scope}]
		if !sok {
			ss = &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: scope.Name,
				Version: scope.Version, Attributes: pbIter(scope.Attributes.Iter())}, SchemaUrl: scope.SchemaURL}
			ssm[key{rk, scope}] = ss
		}
		ss.Spans = append(ss.Spans, pbSpan(sd))
		rs, rok := rsm[rk]
		if !rok {
			rs = &tracepb.ResourceSpans{Resource: &resourcepb.Resource{Attributes: pbIter(sd.Resource().Iter())},
				ScopeSpans: []*tracepb.ScopeSpans{ss}, SchemaUrl: sd.Resource().SchemaURL()}
			rsm[rk] = rs
			order = append(order, rs)
		} else if !sok {
			rs.ScopeSpans = append(rs.ScopeSpans, ss)
		}
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: order}
}

func pbSpan(sd sdktrace.ReadOnlySpan) *tracepb.Span {
	sc := sd.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	st := sd.Status()
	code := tracepb.Status_STATUS_CODE_UNSET
	switch st.Code {
	case codes.Ok:
		code = tracepb.Status_STATUS_CODE_OK
	case codes.Error:
		code = tracepb.Status_STATUS_CODE_ERROR
	}
	s := &tracepb.Span{
		TraceId: tid[:], SpanId: sid[:], TraceState: sc.TraceState().String(),
		Status:            &tracepb.Status{Code: code, Message: st.Description},
		StartTimeUnixNano: uint64(max(0, sd.StartTime().UnixNano())),
		EndTimeUnixNano:   uint64(max(0, sd.EndTime().UnixNano())),
		Kind:              tracepb.Span_SpanKind(sd.SpanKind()), Name: sd.Name(),
		Attributes:             pbKVs(sd.Attributes()),
		DroppedAttributesCount: uint32(sd.DroppedAttributes()),
		DroppedEventsCount:     uint32(sd.DroppedEvents()),
		DroppedLinksCount:      uint32(sd.DroppedLinks()),
	}
	if p := sd.Parent().SpanID(); p.IsValid() {
		s.ParentSpanId = p[:]
	}
	s.Flags = uint32(sc.TraceFlags()) | 0x100
	if sd.Parent().IsRemote() {
		s.Flags |= 0x200
	}
	if links := sd.Links(); len(links) > 0 {
		s.Links = make([]*tracepb.Span_Link, 0, len(links))
	}
	for _, l := range sd.Links() {
		tid, sid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
		flags := uint32(l.SpanContext.TraceFlags()) | 0x100
		if l.SpanContext.IsRemote() {
			flags |= 0x200
		}
		s.Links = append(s.Links, &tracepb.Span_Link{TraceId: tid[:], SpanId: sid[:],
			Attributes: pbKVs(l.Attributes), DroppedAttributesCount: uint32(l.DroppedAttributeCount), Flags: flags})
	}
	if events := sd.Events(); len(events) > 0 {
		s.Events = make([]*tracepb.Span_Event, 0, len(events))
	}
	for _, e := range sd.Events() {
		s.Events = append(s.Events, &tracepb.Span_Event{Name: e.Name, TimeUnixNano: uint64(max(0, e.Time.UnixNano())),
			Attributes: pbKVs(e.Attributes), DroppedAttributesCount: uint32(e.DroppedAttributeCount)})
	}
	return s
}

func pbIter(it attribute.Iterator) []*commonpb.KeyValue {
	out := make([]*commonpb.KeyValue, 0, it.Len())
	for it.Next() {
		kv := it.Attribute()
		out = append(out, &commonpb.KeyValue{Key: string(kv.Key), Value: pbValue(kv.Value)})
	}
	return out
}

func pbKVs(kvs []attribute.KeyValue) []*commonpb.KeyValue {
	out := make([]*commonpb.KeyValue, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, &commonpb.KeyValue{Key: string(kv.Key), Value: pbValue(kv.Value)})
	}
	return out
}

// pbValue covers the types the benchmark's spans hold, as the SDK does.
func pbValue(v attribute.Value) *commonpb.AnyValue {
	av := new(commonpb.AnyValue)
	switch v.Type() {
	case attribute.BOOL:
		av.Value = &commonpb.AnyValue_BoolValue{BoolValue: v.AsBool()}
	case attribute.INT64:
		av.Value = &commonpb.AnyValue_IntValue{IntValue: v.AsInt64()}
	case attribute.FLOAT64:
		av.Value = &commonpb.AnyValue_DoubleValue{DoubleValue: v.AsFloat64()}
	case attribute.STRING:
		av.Value = &commonpb.AnyValue_StringValue{StringValue: v.AsString()}
	case attribute.STRINGSLICE:
		ss := v.AsStringSlice()
		vals := make([]*commonpb.AnyValue, 0, len(ss))
		for _, s := range ss {
			vals = append(vals, &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}})
		}
		av.Value = &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vals}}
	}
	return av
}
