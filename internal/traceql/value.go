package traceql

// ValueKind is the type of an attribute value.
type ValueKind int

// The attribute value kinds. ValueOther stands for bytes, arrays, maps and
// empty values: only `= nil` and `!= nil` apply to them.
const (
	ValueString ValueKind = iota + 1
	ValueInt
	ValueFloat
	ValueBool
	ValueOther
)

// Value is an attribute value. Only the field selected by Kind is
// meaningful.
type Value struct {
	Kind  ValueKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
}

// Attr is one attribute: a key and its value.
type Attr struct {
	Key   string
	Value Value
}

// Span is one span of a trace as the evaluator sees it.
type Span struct {
	SpanID, ParentSpanID [8]byte // ParentSpanID is all zero for a root
	Name                 string
	Kind                 SpanKind   // 0 counts as KindUnspecified
	Status               StatusCode // 0 counts as StatusUnset
	StatusMessage        string
	// StartUnixNano and EndUnixNano bound the span; its duration is
	// End - Start (the store gives open spans an end of "last heard").
	StartUnixNano, EndUnixNano int64
	Attrs                      []Attr // span attributes
	Resource                   []Attr // the span's resource attributes (service.name among them)
}

// Trace is the spans of one trace, in any order.
type Trace struct {
	Spans []Span
}

// kind returns the span's kind, with 0 read as unspecified.
func (s *Span) kind() SpanKind {
	if s.Kind == 0 {
		return KindUnspecified
	}
	return s.Kind
}

// status returns the span's status, with 0 read as unset.
func (s *Span) status() StatusCode {
	if s.Status == 0 {
		return StatusUnset
	}
	return s.Status
}

// lookup returns the value of the first attribute named key.
func lookup(attrs []Attr, key string) (Value, bool) {
	for i := range attrs {
		if attrs[i].Key == key {
			return attrs[i].Value, true
		}
	}
	return Value{}, false
}
