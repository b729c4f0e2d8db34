package httptrace

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestASGIMonitorDocsExample reproduces in Go the "Trace management"
// snippet of asgi-monitor's tracing docs (draincoder/asgi-monitor
// docs/monitoring/tracing.rst, commit 2d0e5e87): a handler get_1000ms that
// opens the spans "sleep 0.1" to "sleep 0.4" one after the other with the
// module's tracer, behind the middleware of TracingConfig(tracer_provider=
// ...). It checks the shape the docs show in Grafana: one server span for
// the request, named after its route, and the four spans its children, in
// order, in the same trace. (The sleeps themselves are left out.)
func TestASGIMonitorDocsExample(t *testing.T) {
	tp, exp := newRecorder(t)
	tracer := tp.Tracer("app")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /get_1000ms", func(w http.ResponseWriter, r *http.Request) {
		for _, d := range []string{"0.1", "0.2", "0.3", "0.4"} {
			_, span := tracer.Start(r.Context(), "sleep "+d)
			span.End()
		}
		fmt.Fprint(w, `{"message": "ok", "status": "success"}`)
	})
	h, err := Middleware(mux, WithTracerProvider(tp), WithEnv(envMap(nil))) // TracingConfig(tracer_provider=tracer_provider)
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/get_1000ms", nil))

	server := spanNamed(t, exp, "GET /get_1000ms")
	if server.SpanKind != trace.SpanKindServer {
		t.Errorf("request span kind %v, want server", server.SpanKind)
	}
	spans := exp.GetSpans()
	var children []string
	for _, s := range spans {
		if s.Parent.SpanID() == server.SpanContext.SpanID() && s.SpanContext.TraceID() == server.SpanContext.TraceID() {
			children = append(children, s.Name)
		}
	}
	if want := "[sleep 0.1 sleep 0.2 sleep 0.3 sleep 0.4]"; fmt.Sprint(children) != want {
		t.Errorf("children of the request span %v, want %s", children, want)
	}
	if len(spans) != 5 {
		t.Errorf("%d spans, want 5: %v", len(spans), spanNames(spans))
	}
}
