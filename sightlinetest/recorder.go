package sightlinetest

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/telemetry"
)

var recorders atomic.Uint64

// Recorder keeps, in memory, the spans and log records that sightline
// components export to its memory endpoint, and checks them. It is the quick
// alternative to a [Receiver] when a test does not need the OTLP wire: no
// sockets, no goroutines, no waiting.
//
//	func TestMeasure(t *testing.T) {
//		rec := sightlinetest.NewRecorder(t)
//		comp, err := telemetry.Setup(t.Context(), rec.Options()...)
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer comp.Shutdown(t.Context())
//
//		measure(t.Context(), comp.Tracer("lab"))
//
//		rec.RequireSpanNames("measure", "move stage")
//		rec.RequireParent("move stage", "measure")
//		rec.RequireAttribute("move stage", "position_mm", 12.5)
//	}
//
// A span reaches the recorder when it ends (the memory endpoint uses a
// simple processor), so spans still open are not seen, and a log record as
// soon as it is emitted. Where several spans have the same name, the
// methods that take a name use the first one exported. The assertions
// report failures with t.Errorf and let the test go on.
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	t    testing.TB
	name string
	mem  *Memory
}

// NewRecorder returns a recorder with a memory endpoint of its own, named
// "sightlinetest-N", so parallel tests do not see each other's spans. What
// it holds is dropped when the test ends. It fails the test if the memory
// exporter could not be registered (another package registered "memory").
func NewRecorder(t testing.TB) *Recorder {
	t.Helper()
	name := "sightlinetest-" + strconv.FormatUint(recorders.Add(1), 10)
	checkRegistered(t)
	r := &Recorder{t: t, name: name, mem: MemoryEndpoint(name)}
	r.mem.Reset()
	t.Cleanup(r.mem.Reset)
	return r
}

// Options returns the options for telemetry.Setup that turn telemetry on,
// with all topics (user and kernel), and send spans and log records to the
// recorder only. The process environment is not read (no SIGHTLINE_* or
// OTEL_* variable of the machine running the tests changes the result).
// Options given after these win, except that a later telemetry.WithEnv
// replaces the recorder's environment as a whole.
func (r *Recorder) Options() []telemetry.Option {
	env := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TOPICS":            "all",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": telemetry.ExporterMemory,
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": r.name,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": telemetry.ExporterMemory,
		"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": r.name,
	}
	return []telemetry.Option{telemetry.WithEnv(func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	})}
}

// Endpoint returns the recorder's endpoint ("memory sightlinetest-N"), to
// add to a running component (Control().AddTracingEndpoint,
// AddLoggingEndpoint), or to name in SIGHTLINE_TELEMETRY_*_ENDPOINTS with
// exporter memory when the program under test reads the environment.
func (r *Recorder) Endpoint() telemetry.Endpoint {
	return telemetry.Endpoint{Exporter: telemetry.ExporterMemory, URL: r.name}
}

// Spans returns the spans recorded so far, in the order they ended.
func (r *Recorder) Spans() tracetest.SpanStubs { return r.mem.Spans() }

// SpanNames returns the names of the spans recorded so far, in the order
// they ended.
func (r *Recorder) SpanNames() []string { return names(r.Spans()) }

// Span returns the first recorded span named name.
func (r *Recorder) Span(name string) (tracetest.SpanStub, bool) {
	for _, s := range r.Spans() {
		if s.Name == name {
			return s, true
		}
	}
	return tracetest.SpanStub{}, false
}

// Logs returns the log records recorded so far.
func (r *Recorder) Logs() []sdklog.Record { return r.mem.Logs() }

// Reset forgets every span and log record recorded so far.
func (r *Recorder) Reset() { r.mem.Reset() }

// RequireSpanNames checks that the recorded spans have exactly the names
// want, each as many times as listed, in any order.
func (r *Recorder) RequireSpanNames(want ...string) {
	r.t.Helper()
	got := r.SpanNames()
	missing, extra := diff(got, want)
	if len(missing) == 0 && len(extra) == 0 {
		return
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	r.t.Errorf("span names = %q, want %q (in any order): missing %q, unexpected %q", got, want, missing, extra)
}

// RequireNoSpans checks that no span has been recorded.
func (r *Recorder) RequireNoSpans() {
	r.t.Helper()
	if got := r.SpanNames(); len(got) > 0 {
		r.t.Errorf("want no spans, got %d: %q", len(got), got)
	}
}

// RequireParent checks that span child is a child of span parent: its
// parent span id is parent's span id, in the same trace.
func (r *Recorder) RequireParent(child, parent string) {
	r.t.Helper()
	c, ok1 := r.span(child)
	p, ok2 := r.span(parent)
	if !ok1 || !ok2 {
		return
	}
	pc := p.SpanContext
	switch {
	case !c.Parent.IsValid():
		r.t.Errorf("span %q has no parent, want parent %q (span id %s)", child, parent, pc.SpanID())
	case c.Parent.SpanID() != pc.SpanID() || c.Parent.TraceID() != pc.TraceID():
		r.t.Errorf("span %q has parent span id %s in trace %s, want %q: span id %s in trace %s",
			child, c.Parent.SpanID(), c.Parent.TraceID(), parent, pc.SpanID(), pc.TraceID())
	}
}

// RequireAttribute checks that span has attribute key with value want.
// want is compared with the attribute's value as Value.AsInterface returns
// it; Go ints of every size may be given for INT64 attributes (12, not
// int64(12)), float32 for FLOAT64 ones, and slices of them for the slice
// types. want may also be an attribute.Value.
func (r *Recorder) RequireAttribute(span, key string, want any) {
	r.t.Helper()
	s, ok := r.span(span)
	if !ok {
		return
	}
	var keys []string
	for _, kv := range s.Attributes {
		if string(kv.Key) != key {
			keys = append(keys, string(kv.Key))
			continue
		}
		got, w := kv.Value.AsInterface(), normalize(want)
		if !reflect.DeepEqual(got, w) {
			r.t.Errorf("span %q: attribute %q = %#v (%s), want %#v (%T)", span, key, got, kv.Value.Type(), want, want)
		}
		return
	}
	slices.Sort(keys)
	r.t.Errorf("span %q has no attribute %q; it has %q", span, key, keys)
}

// RequireStatus checks span's status code.
func (r *Recorder) RequireStatus(span string, code codes.Code) {
	r.t.Helper()
	s, ok := r.span(span)
	if !ok {
		return
	}
	if s.Status.Code != code {
		r.t.Errorf("span %q: status %s %q, want %s", span, s.Status.Code, s.Status.Description, code)
	}
}

// span is Span, reporting a missing span.
func (r *Recorder) span(name string) (tracetest.SpanStub, bool) {
	r.t.Helper()
	s, ok := r.Span(name)
	if !ok {
		r.t.Errorf("no span named %q; recorded spans: %q", name, r.SpanNames())
	}
	return s, ok
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

// diff returns what want has more of than got (missing) and what got has
// more of than want (extra), counting repeated names, each sorted.
func diff(got, want []string) (missing, extra []string) {
	count := map[string]int{}
	for _, n := range got {
		count[n]++
	}
	for _, n := range want {
		count[n]--
	}
	for n, c := range count {
		for ; c > 0; c-- {
			extra = append(extra, n)
		}
		for ; c < 0; c++ {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

// normalize turns want into what attribute.Value.AsInterface would return
// for it: every integer type becomes int64, float32 becomes float64, and
// slices of them likewise. Other values are returned unchanged.
func normalize(want any) any {
	if v, ok := want.(attribute.Value); ok {
		return v.AsInterface()
	}
	rv := reflect.ValueOf(want)
	if !rv.IsValid() {
		return want
	}
	if n, ok := scalar(rv); ok {
		return n
	}
	if rv.Kind() != reflect.Slice {
		return want
	}
	switch rv.Type().Elem().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out := make([]int64, rv.Len())
		for i := range out {
			n, ok := scalar(rv.Index(i))
			if !ok {
				return want
			}
			out[i] = n.(int64)
		}
		return out
	case reflect.Float32, reflect.Float64:
		out := make([]float64, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Float()
		}
		return out
	}
	return want
}

// scalar converts an integer or float value to int64 or float64. A uint
// too large for int64 cannot be an attribute value and is left alone.
// Bytes ([]byte, BYTESLICE) are not integers here.
func scalar(rv reflect.Value) (any, bool) {
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return nil, false
		}
		return int64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return nil, false
}
