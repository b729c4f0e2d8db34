package httptrace_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/httptrace"
	"github.com/sightline-dev/sightline/telemetry"
)

// recorder returns a tracer provider that keeps its spans in memory, with
// ids 01, 02, ... so that the output does not change.
func recorder() (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithIDGenerator(&countingIDs{})), exp
}

// countingIDs gives trace and span ids 1, 2, 3, ...
type countingIDs struct {
	mu sync.Mutex
	n  uint64
}

func (g *countingIDs) next() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return g.n
}

func (g *countingIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	binary.BigEndian.PutUint64(tid[8:], g.next())
	return tid, g.NewSpanID(ctx, tid)
}

func (g *countingIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	var sid trace.SpanID
	binary.BigEndian.PutUint64(sid[:], g.next())
	return sid
}

// attrOf returns the value of the attribute key of s, "" when absent.
func attrOf(s tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

func scanMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /scans/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "scan %s", r.PathValue("id"))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	return mux
}

func ExampleMiddleware() {
	tp, spans := recorder()
	h, err := httptrace.Middleware(scanMux(), httptrace.WithTracerProvider(tp), httptrace.WithExcludedURLs(`^/healthz$`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, path := range []string{"/scans/42", "/healthz", "/nowhere"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, w.Code)
	}
	for _, s := range spans.GetSpans() {
		fmt.Printf("span %q http.route=%s status=%s\n", s.Name, attrOf(s, "http.route"), attrOf(s, "http.response.status_code"))
	}
	// Output:
	// /scans/42 200
	// /healthz 200
	// /nowhere 404
	// span "GET /scans/{id}" http.route=/scans/{id} status=200
	// span "GET" http.route= status=404
}

// An access log whose lines carry the trace and span ids of the request:
// the response hook logs with the request's context, and
// telemetry.TraceContextHandler adds trace_id and span_id. A telemetry
// component's Logger() does the same.
func ExampleMiddleware_accessLog() {
	tp, _ := recorder()
	logger := slog.New(telemetry.TraceContextHandler(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // no time, to keep the output the same
			}
			return a
		},
	})))
	h, err := httptrace.Middleware(scanMux(), httptrace.WithTracerProvider(tp),
		httptrace.WithResponseHook(func(_ trace.Span, info httptrace.ResponseInfo) {
			r := info.Request
			logger.InfoContext(r.Context(), "access",
				"method", r.Method, "path", r.URL.Path, "route", r.Pattern, "status", info.Status, "bytes", info.Size)
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/scans/42", nil))
	// Output:
	// level=INFO msg=access method=GET path=/scans/42 route="GET /scans/{id}" status=200 bytes=7 trace_id=00000000000000000000000000000001 span_id=0000000000000002
}

func ExampleTransport() {
	tp, spans := recorder()
	// One option value serves both the middleware and the transport.
	withTP, withProp := httptrace.WithTracerProvider(tp), httptrace.WithPropagator(propagation.TraceContext{})
	h, err := httptrace.Middleware(scanMux(), withTP, withProp)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	rt, err := httptrace.Transport(srv.Client().Transport, withTP, withProp)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: rt}
	res, err := client.Get(srv.URL + "/scans/7")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close() // ends the client span
	srv.Close()      // waits for the handler, which ends the server span
	fmt.Println(res.StatusCode, string(body))

	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans.GetSpans() {
		byName[s.Name] = s
	}
	clientSpan, serverSpan := byName["GET"], byName["GET /scans/{id}"]
	fmt.Println("client span:", clientSpan.SpanKind)
	fmt.Println("server span:", serverSpan.SpanKind)
	fmt.Println("server's parent is the client span:", serverSpan.Parent.SpanID() == clientSpan.SpanContext.SpanID())
	// Output:
	// 200 scan 7
	// client span: client
	// server span: server
	// server's parent is the client span: true
}

func ExampleDo() {
	tp, spans := recorder()
	err := httptrace.Do(context.Background(), "rebuild index", func(ctx context.Context) error {
		return fmt.Errorf("disk full")
	}, httptrace.WithTracer(tp.Tracer("example")), httptrace.WithAttributes(attribute.String("index", "scans")))
	fmt.Println("error:", err)
	s := spans.GetSpans()[0]
	fmt.Println(s.Name, s.Status.Code, s.Status.Description)
	// Output:
	// error: disk full
	// rebuild index Error disk full
}

type scanRequest struct{ ID string }

func runScan(_ context.Context, req scanRequest) (string, error) { return "scanned " + req.ID, nil }

func ExampleFunc() {
	tp, spans := recorder()
	scan := httptrace.Func("", runScan, // "" names the span after the function
		httptrace.WithTracer(tp.Tracer("example")),
		httptrace.WithArgAttributes(func(req scanRequest) []attribute.KeyValue {
			return []attribute.KeyValue{attribute.String("scan.id", req.ID)}
		}))
	out, err := scan(context.Background(), scanRequest{ID: "s-1"})
	fmt.Println(out, err)
	s := spans.GetSpans()[0]
	fmt.Println(s.Name, "scan.id="+attrOf(s, "scan.id"))
	// Output:
	// scanned s-1 <nil>
	// httptrace_test.runScan scan.id=s-1
}

func ExampleSeq() {
	tp, spans := recorder()
	words := func(yield func(string) bool) {
		for _, w := range []string{"alpha", "beta", "gamma"} {
			if !yield(w) {
				return
			}
		}
	}
	for w := range httptrace.Seq(context.Background(), "read words", words, httptrace.WithTracer(tp.Tracer("example"))) {
		fmt.Println(w)
		if w == "beta" {
			break
		}
	}
	s := spans.GetSpans()[0]
	fmt.Println(s.Name, "iter.items="+attrOf(s, "iter.items"), "iter.stopped_early="+attrOf(s, "iter.stopped_early"))
	// Output:
	// alpha
	// beta
	// read words iter.items=2 iter.stopped_early=true
}

// SeqCtx hands the producer the context of the iteration's span, so the
// spans it makes are children of it.
func ExampleSeqCtx() {
	tp, spans := recorder()
	tracer := httptrace.WithTracer(tp.Tracer("example"))
	pages := func(ctx context.Context) iter.Seq[int] {
		return func(yield func(int) bool) {
			for page := 1; page <= 2; page++ {
				_ = httptrace.Do(ctx, fmt.Sprintf("fetch page %d", page), func(context.Context) error { return nil }, tracer)
				if !yield(page) {
					return
				}
			}
		}
	}
	for range httptrace.SeqCtx(context.Background(), "read pages", pages, tracer) {
	}
	all := spans.GetSpans()
	iteration := all[len(all)-1]
	for _, s := range all[:len(all)-1] {
		fmt.Println(s.Name, "child of", iteration.Name+":", s.Parent.SpanID() == iteration.SpanContext.SpanID())
	}
	// Output:
	// fetch page 1 child of read pages: true
	// fetch page 2 child of read pages: true
}

// Check the excluded URLs at startup, before building the middleware: each
// bad regular expression is named with the variable (or option) it came
// from.
func ExampleValidate() {
	opts := []httptrace.Option{
		httptrace.WithKey("scan-api"),
		httptrace.WithEnv(func(name string) (string, bool) {
			v, ok := map[string]string{"SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS": "/healthz, /bad["}[name]
			return v, ok
		}),
	}
	fmt.Println(httptrace.ExcludedURLsEnvNames(opts...))
	fmt.Println(httptrace.Validate(opts...))
	// Output:
	// [SIGHTLINE_HTTP_EXCLUDED_URLS SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS]
	// httptrace: excluded URL regular expression "/bad[" from SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS: error parsing regexp: missing closing ]: `[`
}
