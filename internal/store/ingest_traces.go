package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// unknownService is the service of a resource without a string
// service.name attribute, as the OpenTelemetry SDKs name it.
const unknownService = "unknown_service"

// spanRow is an encoded span, ready for the writer.
type spanRow struct {
	start   int64
	end     int64
	spanID  pcommon.SpanID
	payload []byte
	root    bool // no parent
	isError bool // status code error
	name    uint64
	service uint64
}

// traceGroup is a batch's spans of one trace.
type traceGroup struct {
	traceID pcommon.TraceID
	spans   []spanRow // finished
	opens   []openRow // announced open (heartbeats)
}

// traceBatch is one AppendTraces call's encoded spans, or an AppendLogs
// call's announcements, grouped by trace.
type traceBatch struct {
	groups []traceGroup
	index  map[pcommon.TraceID]int // into groups
	spans  int                     // finished spans
	opens  int                     // heartbeats
	cut    cuts                    // what the ingest limits cut
	// items are the batch's attribute index items (attrindex_items.go),
	// each once.
	items []uint64
}

// group returns b's group of trace tid, adding it.
func (b *traceBatch) group(tid pcommon.TraceID) *traceGroup {
	if b.index == nil {
		b.index = map[pcommon.TraceID]int{}
	}
	gi, ok := b.index[tid]
	if !ok {
		gi = len(b.groups)
		b.index[tid] = gi
		b.groups = append(b.groups, traceGroup{traceID: tid})
	}
	return &b.groups[gi]
}

// AppendTraces stores td's spans and returns once they are committed
// (durable against a crash of the process; against power loss too with
// Options.Fsync), so the caller may then acknowledge them. Concurrent
// calls are committed together (see the package documentation).
//
// Invalid spans (an all-zero trace or span id, an end before the start, a
// timestamp past 2262, more than 64 MiB once encoded) are counted in
// Rejected, named in RejectMessage and not stored; the rest of the batch
// is. What is past the ingest limits (Options.MaxAttributes and the
// others) is cut and counted (Stats), not rejected. A span already stored (same trace
// id, span id and start: an exporter's retry) is accepted and kept once.
// Waiting for room in the queue honours ctx; so does waiting for the
// commit, after which the batch may or may not have been stored (sending
// it again is safe). After Close it returns ErrClosed.
func (s *Store) AppendTraces(ctx context.Context, td ptrace.Traces) (AppendResult, error) {
	if s.isClosed() {
		return AppendResult{}, ErrClosed
	}
	b, res := encodeTraces(s.dict, s.opts.limits(), td)
	if b.spans == 0 {
		return res, nil
	}
	if err := s.submit(ctx, &request{traces: b, items: b.spans}); err != nil {
		if errors.Is(err, ErrClosed) {
			return AppendResult{}, ErrClosed
		}
		return AppendResult{}, fmt.Errorf("store: append traces: %w", err)
	}
	s.cuts.add(b.cut)
	return res, nil
}

// rejections counts rejected items by reason, in the order reasons are
// first met, for RejectMessage.
type rejections struct {
	reasons []string
	counts  []int
	total   int
}

func (r *rejections) add(reason string) {
	r.total++
	for i, x := range r.reasons {
		if x == reason {
			r.counts[i]++
			return
		}
	}
	r.reasons = append(r.reasons, reason)
	r.counts = append(r.counts, 1)
}

// message is e.g. "2 spans rejected: 1 with an empty trace id, 1 ending
// before it starts".
func (r *rejections) message(what string) string {
	if r.total == 0 {
		return ""
	}
	var b strings.Builder
	if r.total == 1 {
		fmt.Fprintf(&b, "1 %s rejected: ", what)
	} else {
		fmt.Fprintf(&b, "%d %ss rejected: ", r.total, what)
	}
	for i, reason := range r.reasons {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", r.counts[i], reason)
	}
	return b.String()
}

// serviceOf returns a resource's service.name, or unknownService.
func serviceOf(r pcommon.Resource) string {
	if v, ok := r.Attributes().Get("service.name"); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		return v.Str()
	}
	return unknownService
}

// spanProblem returns why a span is rejected, or "".
func spanProblem(sp ptrace.Span) string {
	switch {
	case sp.TraceID().IsEmpty():
		return "with an empty trace id"
	case sp.SpanID().IsEmpty():
		return "with an empty span id"
	case uint64(sp.StartTimestamp()) > math.MaxInt64 || uint64(sp.EndTimestamp()) > math.MaxInt64:
		return "with a timestamp out of range"
	case sp.EndTimestamp() < sp.StartTimestamp():
		return "ending before it starts"
	}
	return ""
}

// encodeTraces validates and encodes td in the caller's goroutine, so the
// writer only runs SQL.
func encodeTraces(d *dict, lim limits, td ptrace.Traces) (*traceBatch, AppendResult) {
	e := newEncoder(d, lim)
	e.items.init(3 * td.SpanCount())
	b := &traceBatch{}
	var rej rejections
	names := map[nameKey]uint64{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var service, resource uint64
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			var scope uint64
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				if p := spanProblem(sp); p != "" {
					rej.add(p)
					continue
				}
				if resource == 0 {
					service = d.service(serviceOf(rs.Resource()))
					e.indexKind = itemResKey
					resource = d.resource(e.resourceData(rs.Resource(), rs.SchemaUrl()), service)
				}
				if scope == 0 {
					scope = d.scope(e.scopeData(ss.Scope(), ss.SchemaUrl()))
				}
				nk := nameKey{service, sp.Name()}
				name, ok := names[nk]
				if !ok {
					name = d.name(service, sp.Name())
					names[nk] = name
				}
				payload := e.spanPayload(sp, resource, scope, name)
				if payload == nil {
					rej.add("larger than 64 MiB encoded")
					continue
				}
				g := b.group(sp.TraceID())
				g.spans = append(g.spans, spanRow{
					start:   int64(sp.StartTimestamp()),
					end:     int64(sp.EndTimestamp()),
					spanID:  sp.SpanID(),
					payload: payload,
					root:    sp.ParentSpanID().IsEmpty(),
					isError: sp.Status().Code() == ptrace.StatusCodeError,
					name:    name,
					service: service,
				})
				b.spans++
			}
		}
	}
	b.cut = e.cut
	b.items = e.items.list()
	return b, AppendResult{Accepted: b.spans, Rejected: rej.total, RejectMessage: rej.message("span")}
}
