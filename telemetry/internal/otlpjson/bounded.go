package otlpjson

import (
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// itemCost is what each attribute, event, link and array element costs
// besides its bytes: about the JSON that frames it.
const itemCost = 16

// Limits bounds what [BoundedSpan] copies of a span, so that the OTLP data
// of one span has a size known in advance whatever the span holds.
type Limits struct {
	// Bytes is the budget of the span's attributes, events and links
	// together: the bytes of their keys, names and values, plus 16 per
	// attribute, event, link and array element. Zero copies none of them.
	Bytes int
	// ValueBytes bounds one string or bytes value, the span's name and its
	// status description; longer ones are cut (at a UTF-8 boundary). Zero
	// means no bound of its own (Bytes still applies to values).
	ValueBytes int
	// Items bounds the attributes of the span and of each event and link,
	// the events (the latest are kept) and the links. Zero means none.
	Items int
}

// BoundedSpan converts one span into OTLP trace data holding one resource
// (the span's), one scope and the span, as [Traces] does, but copies its
// attributes, events and links only within lim, in that order of
// preference: whatever does not fit is left out and added to the span's
// (or the event's or link's) dropped counts. The span's identity, parent,
// kind, times and status code are always copied; an open span has no end
// time. trimmed reports whether anything was left out or cut.
//
// The result shares nothing with the span, and what the conversion
// allocates is bounded by lim, apart from transient copies the SDK and
// attribute APIs make whatever the caller wants of them: the span's events
// and links (bounded by the SDK's span limits, 128 each by default) and
// each array or map value looked at (at most Items of them per list).
func BoundedSpan(sd sdktrace.ReadOnlySpan, lim Limits) (td ptrace.Traces, trimmed bool) {
	td = ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	res := sd.Resource()
	setResource(rs.Resource(), res)
	rs.SetSchemaUrl(res.SchemaURL())
	ss := rs.ScopeSpans().AppendEmpty()
	scope := sd.InstrumentationScope()
	setScope(ss.Scope(), scope)
	ss.SetSchemaUrl(scope.SchemaURL)
	dst := ss.Spans().AppendEmpty()

	b := &budget{left: lim.Bytes, value: lim.ValueBytes, items: lim.Items}
	st := sd.Status()
	name := b.cut(sd.Name())
	st.Description = b.cut(st.Description)
	setSpanHead(dst, sd, name, st)

	dropped := b.putAttrs(dst.Attributes(), sd.Attributes())
	dst.SetDroppedAttributesCount(clampUint32(sd.DroppedAttributes() + dropped))
	droppedEvents := b.putEvents(dst.Events(), sd.Events())
	dst.SetDroppedEventsCount(clampUint32(sd.DroppedEvents() + droppedEvents))
	droppedLinks := b.putLinks(dst.Links(), sd.Links())
	dst.SetDroppedLinksCount(clampUint32(sd.DroppedLinks() + droppedLinks))
	return td, b.trimmed || dropped+droppedEvents+droppedLinks > 0
}

// budget is what is left to copy.
type budget struct {
	left    int // bytes
	value   int // bound of one value; 0: none
	items   int // per list
	trimmed bool
}

// cut shortens s to the value bound, at a UTF-8 boundary.
func (b *budget) cut(s string) string {
	if b.value <= 0 || len(s) <= b.value {
		return s
	}
	b.trimmed = true
	return truncUTF8(s, b.value)
}

func truncUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// take spends n bytes if they are left.
func (b *budget) take(n int) bool {
	if n > b.left {
		return false
	}
	b.left -= n
	return true
}

// putAttrs copies attrs into m while items and bytes last, and returns how
// many were left out.
func (b *budget) putAttrs(m pcommon.Map, attrs []attribute.KeyValue) int {
	n := min(len(attrs), b.items)
	m.EnsureCapacity(n)
	for i, kv := range attrs[:n] {
		if !b.take(len(kv.Key) + itemCost) {
			return len(attrs) - i
		}
		if !b.putValue(m.PutEmpty(string(kv.Key)), kv.Value) {
			m.Remove(string(kv.Key))
			return len(attrs) - i
		}
	}
	return len(attrs) - n
}

// putValue stores what fits of v in dst: a cut string, the leading
// elements of an array. false means not even a part fits.
func (b *budget) putValue(dst pcommon.Value, v attribute.Value) bool {
	switch v.Type() {
	case attribute.STRING:
		s := v.AsString()
		if b.value > 0 && len(s) > b.value {
			s, b.trimmed = truncUTF8(s, b.value), true
		}
		if len(s) > b.left {
			if b.left == 0 {
				return false
			}
			s, b.trimmed = truncUTF8(s, b.left), true
		}
		b.left -= len(s)
		dst.SetStr(s)
	case attribute.BYTESLICE:
		raw := v.AsByteSlice()
		n := len(raw)
		if b.value > 0 {
			n = min(n, b.value)
		}
		if n = min(n, b.left); n == 0 && len(raw) > 0 {
			return false
		}
		b.trimmed = b.trimmed || n < len(raw)
		b.left -= n
		dst.SetEmptyBytes().FromRaw(raw[:n])
	case attribute.STRINGSLICE, attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.SLICE:
		b.putSlice(dst.SetEmptySlice(), v)
	case attribute.MAP:
		if dropped := b.putAttrs(dst.SetEmptyMap(), v.AsMap()); dropped > 0 {
			b.trimmed = true
		}
	default: // scalars and EMPTY: their JSON is short
		if !b.take(8) {
			return false
		}
		setValue(dst, v)
	}
	return true
}

// putSlice copies the leading elements of an array value that fit. The
// attribute API hands out arrays only as whole copies: each is taken once.
func (b *budget) putSlice(s pcommon.Slice, v attribute.Value) {
	var total int
	switch v.Type() {
	case attribute.BOOLSLICE:
		total = putScalars(s, b, v.AsBoolSlice(), pcommon.Value.SetBool)
	case attribute.INT64SLICE:
		total = putScalars(s, b, v.AsInt64Slice(), pcommon.Value.SetInt)
	case attribute.FLOAT64SLICE:
		total = putScalars(s, b, v.AsFloat64Slice(), pcommon.Value.SetDouble)
	case attribute.STRINGSLICE:
		strs := v.AsStringSlice()
		total = len(strs)
		for _, str := range strs[:min(total, b.items)] {
			if !b.take(itemCost) || !b.putValue(s.AppendEmpty(), attribute.StringValue(str)) {
				removeLast(s, b)
				break
			}
		}
	case attribute.SLICE:
		elems := v.AsSlice()
		total = len(elems)
		for _, e := range elems[:min(total, b.items)] {
			if !b.take(itemCost) || !b.putValue(s.AppendEmpty(), e) {
				removeLast(s, b)
				break
			}
		}
	}
	b.trimmed = b.trimmed || s.Len() < total
}

// putScalars appends the leading scalars that fit (8 bytes of JSON each,
// at most) and returns how many there were.
func putScalars[T any](s pcommon.Slice, b *budget, vals []T, set func(pcommon.Value, T)) int {
	n := min(len(vals), b.items, b.left/(8+itemCost))
	b.left -= n * (8 + itemCost)
	s.EnsureCapacity(n)
	for _, x := range vals[:n] {
		set(s.AppendEmpty(), x)
	}
	return len(vals)
}

// removeLast removes the element just appended that did not fit (if any).
func removeLast(s pcommon.Slice, b *budget) {
	b.trimmed = true
	last, i := s.Len()-1, -1
	s.RemoveIf(func(v pcommon.Value) bool {
		i++
		return i == last && v.Type() == pcommon.ValueTypeEmpty
	})
}

// sliceLen is the number of elements of an array value.
func sliceLen(v attribute.Value) int {
	switch v.Type() {
	case attribute.BOOLSLICE:
		return len(v.AsBoolSlice())
	case attribute.INT64SLICE:
		return len(v.AsInt64Slice())
	case attribute.FLOAT64SLICE:
		return len(v.AsFloat64Slice())
	case attribute.STRINGSLICE:
		return len(v.AsStringSlice())
	case attribute.SLICE:
		return len(v.AsSlice())
	}
	return 0
}

// putEvents copies the latest events that fit, oldest first, and returns
// how many were left out.
func (b *budget) putEvents(es ptrace.SpanEventSlice, events []sdktrace.Event) int {
	// Walk back from the latest to find the first event kept, counting
	// what each would cost at most (its name and its attribute keys and
	// values within the value bound), then copy forward.
	first, room := len(events), b.left
	for first > 0 && len(events)-first < b.items {
		cost := b.eventCost(events[first-1])
		if cost > room {
			break
		}
		room -= cost
		first--
	}
	es.EnsureCapacity(len(events) - first)
	for _, e := range events[first:] {
		name := b.cut(e.Name)
		if !b.take(len(name) + itemCost) {
			return len(events) - es.Len()
		}
		pe := es.AppendEmpty()
		pe.SetName(name)
		pe.SetTimestamp(timestamp(e.Time))
		dropped := b.putAttrs(pe.Attributes(), e.Attributes)
		pe.SetDroppedAttributesCount(clampUint32(e.DroppedAttributeCount + dropped))
	}
	return first
}

// eventCost bounds what copying e would take from the budget.
func (b *budget) eventCost(e sdktrace.Event) int {
	cost := min(len(e.Name), b.valueBound(len(e.Name))) + itemCost
	for _, kv := range e.Attributes[:min(len(e.Attributes), b.items)] {
		cost += len(kv.Key) + itemCost + valueCost(kv.Value, b)
	}
	return cost
}

func (b *budget) valueBound(n int) int {
	if b.value > 0 {
		return min(n, b.value)
	}
	return n
}

// valueCost bounds what putValue would take for v.
func valueCost(v attribute.Value, b *budget) int {
	switch v.Type() {
	case attribute.STRING:
		return b.valueBound(len(v.AsString()))
	case attribute.BYTESLICE:
		return b.valueBound(len(v.AsByteSlice()))
	case attribute.STRINGSLICE:
		c := 0
		for _, s := range v.AsStringSlice() {
			c += b.valueBound(len(s)) + itemCost
		}
		return c
	case attribute.SLICE:
		c := 0
		for _, e := range v.AsSlice() {
			c += valueCost(e, b) + itemCost
		}
		return c
	case attribute.MAP:
		c := 0
		for _, kv := range v.AsMap() {
			c += len(kv.Key) + itemCost + valueCost(kv.Value, b)
		}
		return c
	}
	return 8 + sliceLen(v)*(8+itemCost)
}

// putLinks copies the leading links that fit and returns how many were
// left out.
func (b *budget) putLinks(ls ptrace.SpanLinkSlice, links []sdktrace.Link) int {
	n := min(len(links), b.items)
	ls.EnsureCapacity(n)
	for i, l := range links[:n] {
		if !b.take(64 + itemCost) { // ids, trace state and flags
			return len(links) - i
		}
		pl := ls.AppendEmpty()
		setLinkHead(pl, l)
		dropped := b.putAttrs(pl.Attributes(), l.Attributes)
		pl.SetDroppedAttributesCount(clampUint32(l.DroppedAttributeCount + dropped))
	}
	return len(links) - n
}
