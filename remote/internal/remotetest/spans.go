package remotetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Tree renders spans as an indented tree, children in start order:
// "name kind service". Spans whose parent is not among them are roots.
func Tree(spans tracetest.SpanStubs) string {
	byParent := map[trace.SpanID][]tracetest.SpanStub{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext.SpanID()] = true
	}
	var roots []tracetest.SpanStub
	for _, s := range spans {
		if p := s.Parent.SpanID(); s.Parent.IsValid() && ids[p] {
			byParent[p] = append(byParent[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	var b strings.Builder
	var walk func(ss []tracetest.SpanStub, depth int)
	walk = func(ss []tracetest.SpanStub, depth int) {
		slices.SortStableFunc(ss, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
		for _, s := range ss {
			svc, _ := ResourceAttr(s, "service.name")
			fmt.Fprintf(&b, "%s%s %s %s\n", strings.Repeat("  ", depth), s.Name, s.SpanKind, svc)
			walk(byParent[s.SpanContext.SpanID()], depth+1)
		}
	}
	walk(roots, 0)
	return b.String()
}

// ResourceAttr is the value of key in the resource of s.
func ResourceAttr(s tracetest.SpanStub, key string) (string, bool) {
	if s.Resource == nil {
		return "", false
	}
	v, ok := s.Resource.Set().Value(attribute.Key(key))
	return v.String(), ok
}

// SpanAttr is the value of the span attribute key.
func SpanAttr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// FindSpan is the first span named name; it fails t, showing the tree,
// when there is none.
func FindSpan(t testing.TB, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span %q in\n%s", name, Tree(spans))
	return tracetest.SpanStub{}
}
