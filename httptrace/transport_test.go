package httptrace

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// loopback starts testMux behind Middleware on a loopback server; closing
// it waits for the handlers, so their spans are ended.
func loopback(t *testing.T, tp *sdktrace.TracerProvider, opts ...MiddlewareOption) *httptest.Server {
	t.Helper()
	opts = append(opts, WithTracerProvider(tp), WithPropagator(propagation.TraceContext{}))
	srv := httptest.NewServer(mustMiddleware(t, testMux(), opts...))
	t.Cleanup(srv.Close)
	return srv
}

// mustTransport makes a client on Transport with opts, an empty environment
// unless opts give one, and tp and W3C propagation whatever opts say.
func mustTransport(t *testing.T, base http.RoundTripper, tp *sdktrace.TracerProvider, opts ...TransportOption) *http.Client {
	t.Helper()
	opts = append([]TransportOption{WithEnv(envMap(nil))}, opts...)
	opts = append(opts, WithTracerProvider(tp), WithPropagator(propagation.TraceContext{}))
	rt, err := Transport(base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: rt}
}

// get sends a GET with ctx and reads and closes the body.
func get(t *testing.T, client *http.Client, ctx context.Context, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func TestTransportEndToEnd(t *testing.T) {
	tp, exp := newRecorder(t)
	var serverHooks, clientHooks hookSpans
	var sentTraceparent string
	srv := loopback(t, tp, WithRequestHook(serverHooks.requestHook), WithResponseHook(serverHooks.responseHook))
	client := mustTransport(t, srv.Client().Transport, tp,
		WithRequestHook(func(span trace.Span, r *http.Request) {
			sentTraceparent = r.Header.Get("traceparent")
			clientHooks.requestHook(span, r)
		}),
		WithResponseHook(clientHooks.responseHook),
	)

	ctx, caller := tp.Tracer("test").Start(context.Background(), "caller")
	status, body := get(t, client, ctx, srv.URL+"/scans/9")
	caller.End()
	srv.Close()
	if status != 200 || body != "scan 9" {
		t.Fatalf("response %d %q", status, body)
	}

	callerSpan := spanNamed(t, exp, "caller")
	clientSpan := spanNamed(t, exp, "GET")
	serverSpan := spanNamed(t, exp, "GET /scans/{id}")
	if clientSpan.SpanKind != trace.SpanKindClient || serverSpan.SpanKind != trace.SpanKindServer {
		t.Errorf("kinds %v %v", clientSpan.SpanKind, serverSpan.SpanKind)
	}
	if clientSpan.Parent.SpanID() != callerSpan.SpanContext.SpanID() {
		t.Errorf("client span's parent %v, want the caller %v", clientSpan.Parent.SpanID(), callerSpan.SpanContext.SpanID())
	}
	if serverSpan.Parent.SpanID() != clientSpan.SpanContext.SpanID() || !serverSpan.Parent.IsRemote() ||
		serverSpan.SpanContext.TraceID() != callerSpan.SpanContext.TraceID() {
		t.Errorf("server span's parent %v, want the client span %v", serverSpan.Parent, clientSpan.SpanContext)
	}

	if len(clientHooks.request) != 1 || !clientHooks.request[0].Equal(clientSpan.SpanContext) ||
		len(clientHooks.response) != 1 || !clientHooks.response[0].Equal(clientSpan.SpanContext) {
		t.Errorf("client hooks saw %v %v, want %v", clientHooks.request, clientHooks.response, clientSpan.SpanContext)
	}
	if want := "00-" + clientSpan.SpanContext.TraceID().String() + "-" + clientSpan.SpanContext.SpanID().String() + "-01"; sentTraceparent != want {
		t.Errorf("traceparent at RequestHook %q, want %q", sentTraceparent, want)
	}
	if info := clientHooks.infos[0]; info.Status != 200 || info.Size != int64(len("scan 9")) ||
		info.Header.Get("Content-Type") == "" || info.Err != nil || info.Request == nil {
		t.Errorf("client ResponseInfo %+v", info)
	}
	if len(serverHooks.request) != 1 || !serverHooks.request[0].Equal(serverSpan.SpanContext) ||
		len(serverHooks.response) != 1 || !serverHooks.response[0].Equal(serverSpan.SpanContext) {
		t.Errorf("server hooks saw %v %v, want %v", serverHooks.request, serverHooks.response, serverSpan.SpanContext)
	}
	if info := serverHooks.infos[0]; info.Status != 200 || info.Size != int64(len("scan 9")) {
		t.Errorf("server ResponseInfo %+v", info)
	}
}

func TestTransportExcluded(t *testing.T) {
	tp, exp := newRecorder(t)
	srv := loopback(t, tp)
	client := mustTransport(t, srv.Client().Transport, tp,
		WithEnv(envMap(map[string]string{"SIGHTLINE_HTTP_EXCLUDED_URLS": "^/healthz$"})),
		WithExcludedURLs(`^http://127\.0\.0\.1:[0-9]+/metrics`),
		WithRequestHook(func(trace.Span, *http.Request) { t.Error("RequestHook called for an excluded URL") }),
	)
	ctx, caller := tp.Tracer("test").Start(context.Background(), "caller")
	for _, path := range []string{"/healthz", "/metrics"} {
		if status, body := get(t, client, ctx, srv.URL+path); status != 200 || body != "ok" {
			t.Errorf("%s: %d %q", path, status, body)
		}
	}
	caller.End()
	srv.Close()

	callerSpan := spanNamed(t, exp, "caller")
	for _, name := range []string{"GET /healthz", "GET /metrics"} {
		s := spanNamed(t, exp, name)
		if s.Parent.SpanID() != callerSpan.SpanContext.SpanID() {
			t.Errorf("%s: parent %v, want the caller %v (context injected without a client span)", name, s.Parent.SpanID(), callerSpan.SpanContext.SpanID())
		}
	}
	if n := len(exp.GetSpans()); n != 3 {
		t.Errorf("%d spans, want caller and two server spans: %v", n, spanNames(exp.GetSpans()))
	}
}

func TestTransportSpanDetailsAndStatus(t *testing.T) {
	tp, exp := newRecorder(t)
	srv := loopback(t, tp)
	client := mustTransport(t, srv.Client().Transport, tp,
		WithSpanDetails(func(r *http.Request) (string, []attribute.KeyValue) {
			return "fetch " + r.URL.Path, []attribute.KeyValue{attribute.String("app.peer", "scanner")}
		}),
	)
	get(t, client, context.Background(), srv.URL+"/nowhere")
	get(t, client, context.Background(), srv.URL+"/fail")
	srv.Close()
	s := spanNamed(t, exp, "fetch /nowhere")
	if v, _ := attr(s, "app.peer"); v.AsString() != "scanner" {
		t.Errorf("app.peer %q", v.AsString())
	}
	if s.Status.Code != codes.Error {
		t.Errorf("client 404 status %v, want Error", s.Status)
	}
	if s := spanNamed(t, exp, "GET"); s.Status.Code != codes.Unset {
		t.Errorf("server 404 status %v, want Unset", s.Status)
	}
	if s := spanNamed(t, exp, "fetch /fail"); s.Status.Code != codes.Error {
		t.Errorf("client 500 status %v, want Error", s.Status)
	}
}

func TestTransportError(t *testing.T) {
	tp, exp := newRecorder(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var hooks hookSpans
	client := mustTransport(t, srv.Client().Transport, tp, WithResponseHook(hooks.responseHook))
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("no error from a closed server")
	}
	s := onlySpan(t, exp)
	if s.Status.Code != codes.Error {
		t.Errorf("status %v", s.Status)
	}
	if len(hooks.infos) != 1 || hooks.infos[0].Err == nil || hooks.infos[0].Status != 0 {
		t.Errorf("ResponseInfo %+v", hooks.infos)
	}
}
