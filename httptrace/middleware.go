package httptrace

import (
	"errors"
	"fmt"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Middleware wraps h, typically an *http.ServeMux, in otelhttp's server
// instrumentation configured by opts: a server span per request (trace
// context extracted from the request header), named "METHOD /route" after
// the pattern the mux matched, with http.route, the semantic-convention
// attributes, error status for 5xx responses, and otelhttp's
// http.server.request.duration and body size metrics. Middleware adds the
// http.server.active_requests up-down counter (by http.request.method and
// url.scheme), made once here from the meter provider (WithMeterProvider).
// Requests matching an excluded URL are served by h alone: no span, no
// metric, no hook. The handler holds no goroutine and needs no shutdown.
//
// It returns an error when h is nil, an excluded URL regular expression
// does not compile (see Validate), or the meter provider fails to make the
// active-requests instrument.
func Middleware(h http.Handler, opts ...MiddlewareOption) (http.Handler, error) {
	if h == nil {
		return nil, errors.New("httptrace: Middleware: the handler is nil")
	}
	cfg := middlewareConfig(opts)
	m, err := cfg.excluded()
	if err != nil {
		return nil, err
	}
	active, err := newActiveRequests(cfg.mp)
	if err != nil {
		return nil, err
	}
	inner := &serverHandler{
		routes:       new(routeCache),
		next:         h,
		details:      cfg.spanDetails,
		route:        cfg.route,
		requestHook:  cfg.requestHook,
		responseHook: cfg.responseHook,
	}
	traced := otelhttp.NewHandler(inner, "", cfg.otelOptions(otelhttp.WithSpanNameFormatter(inner.routes.spanName))...)
	out := &outerHandler{traced: traced, next: h, active: active}
	if !m.empty() {
		out.m = m
	}
	return out, nil
}

// outerHandler serves excluded requests with the bare handler, and counts
// the others in http.server.active_requests around otelhttp's handler. The
// exclusion is decided here rather than by an otelhttp filter so that the
// hooks, which run inside otelhttp, never see an excluded request.
type outerHandler struct {
	traced, next http.Handler
	m            *matcher // nil: no excluded URLs
	active       *activeRequests
}

func (h *outerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.m != nil && h.m.excludedServer(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	opts := h.active.addOptions(r)
	h.active.counter.Add(ctx, 1, opts...)
	// Deferred: a handler that panics (or calls runtime.Goexit) is no
	// longer active either.
	defer h.active.counter.Add(ctx, -1, opts...)
	h.traced.ServeHTTP(w, r)
}

// serverHandler runs inside otelhttp's handler: r is otelhttp's shallow
// copy of the request, its context holds the server span, and the
// ServeMux in next sets r.Pattern on it.
type serverHandler struct {
	routes       *routeCache // also otelhttp's span name formatter's
	next         http.Handler
	details      func(*http.Request) (string, []attribute.KeyValue)
	route        func(*http.Request) string
	requestHook  func(trace.Span, *http.Request)
	responseHook func(trace.Span, ResponseInfo)
}

func (h *serverHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	span := trace.SpanFromContext(r.Context())
	if h.requestHook != nil {
		h.requestHook(span, r)
	}
	var rec *responseRecorder
	if h.responseHook != nil {
		rec = &responseRecorder{ResponseWriter: w}
		w = rec
	}
	done := false
	defer func() {
		if done {
			return
		}
		// The handler panicked (or called runtime.Goexit): the span still
		// gets its route and, for a panic, the status Error; the panic goes
		// on. The exception event is not added here: otelhttp ends the span
		// with a deferred span.End, which in the SDK records the panic.
		v := recover()
		h.name(span, r, true)
		if v != nil {
			span.SetStatus(codes.Error, fmt.Sprint("panic: ", v))
			panic(v)
		}
	}()
	h.next.ServeHTTP(w, r)
	done = true
	clearPattern := h.name(span, r, false)
	if rec != nil {
		h.responseHook(span, ResponseInfo{
			Status:  rec.statusCode(),
			Header:  rec.Header(),
			Size:    rec.size,
			Request: r,
		})
	}
	if clearPattern && r.Pattern != "" {
		// otelhttp renames the span from r.Pattern after we return, and
		// would replace the span details' or the route function's name. r
		// is otelhttp's own copy of the request: clear its pattern (name
		// gave the route to the metrics through otelhttp's labeler).
		r.Pattern = ""
	}
}

// name sets the span name and http.route from the route function
// (WithRoute), else the pattern the mux matched, then applies the span
// details (WithSpanDetails), and reports whether the caller must clear
// r.Pattern: when the route function or the details named the span.
// After a normal return with a pattern, otelhttp renames the span itself
// (with routeCache.spanName); after a panic it does not.
func (h *serverHandler) name(span trace.Span, r *http.Request, panicking bool) (clearPattern bool) {
	route := ""
	if h.route != nil {
		route = h.route(r)
	}
	fromFunc := route != ""
	if !fromFunc {
		route = routeOf(r.Pattern)
	}
	var rs *routeSpan
	if route != "" {
		rs = h.routes.get(r.Method, route)
		span.SetAttributes(rs.attrs...)
	}
	if fromFunc || r.Pattern == "" || panicking {
		if rs != nil {
			span.SetName(rs.name)
		} else {
			span.SetName(spanMethod(r.Method))
		}
	}
	renamed := fromFunc
	if h.details != nil {
		name, attrs := h.details(r)
		if len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
		if name != "" {
			span.SetName(name)
			renamed = true
		}
	}
	if renamed && rs != nil {
		// The caller clears r.Pattern so that otelhttp keeps this name;
		// the metrics get the route from the labeler instead.
		if l, ok := otelhttp.LabelerFromContext(r.Context()); ok {
			l.Add(rs.attrs...)
		}
	}
	return renamed
}
