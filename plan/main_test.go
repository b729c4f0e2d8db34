package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/sightline-dev/sightline/telemetry/topic"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tracing is an SDK TracerProvider recording into memory, with a processor
// that counts started and ended spans and keeps their start order.
type tracing struct {
	tp  *sdktrace.TracerProvider
	exp *tracetest.InMemoryExporter

	mu      sync.Mutex
	started []trace.SpanID
	ended   int
}

func newTracing(t testing.TB) *tracing {
	tr := &tracing{exp: tracetest.NewInMemoryExporter()}
	tr.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tr), sdktrace.WithSyncer(tr.exp))
	t.Cleanup(func() { _ = tr.tp.Shutdown(context.Background()) })
	return tr
}

func (tr *tracing) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	tr.mu.Lock()
	tr.started = append(tr.started, s.SpanContext().SpanID())
	tr.mu.Unlock()
}

func (tr *tracing) OnEnd(sdktrace.ReadOnlySpan) {
	tr.mu.Lock()
	tr.ended++
	tr.mu.Unlock()
}

func (tr *tracing) Shutdown(context.Context) error   { return nil }
func (tr *tracing) ForceFlush(context.Context) error { return nil }

func (tr *tracing) tracer() trace.Tracer { return tr.tp.Tracer("test") }

// counts returns the numbers of spans started and ended.
func (tr *tracing) counts() (started, ended int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.started), tr.ended
}

// spans returns the ended spans in start order.
func (tr *tracing) spans() []tracetest.SpanStub {
	tr.mu.Lock()
	order := map[trace.SpanID]int{}
	for i, id := range tr.started {
		order[id] = i
	}
	tr.mu.Unlock()
	out := tr.exp.GetSpans()
	sort.SliceStable(out, func(i, j int) bool {
		return order[out[i].SpanContext.SpanID()] < order[out[j].SpanContext.SpanID()]
	})
	return out
}

func isKernel(s tracetest.SpanStub) bool {
	return topic.Of(s.InstrumentationScope.Attributes) == topic.Kernel
}

// tree draws the spans (kernel ones only when kernel is true) as an
// indented tree in start order; a span whose parent is not drawn is a root.
func (tr *tracing) tree(kernel bool) string {
	spans := tr.spans()
	depth := map[trace.SpanID]int{}
	var b strings.Builder
	for _, s := range spans {
		if isKernel(s) && !kernel {
			continue
		}
		d := 0
		if pd, ok := depth[s.Parent.SpanID()]; ok && s.Parent.IsValid() {
			d = pd + 1
		}
		depth[s.SpanContext.SpanID()] = d
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", d), s.Name)
	}
	return b.String()
}

// find returns the ended spans named name.
func (tr *tracing) find(name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tr.spans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func attr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func (tr *tracing) checkAllEnded(t testing.TB) {
	t.Helper()
	started, ended := tr.counts()
	if started != ended || started == 0 {
		t.Errorf("spans started %d, ended %d", started, ended)
	}
}
