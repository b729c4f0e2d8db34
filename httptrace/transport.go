package httptrace

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Transport wraps base (nil: http.DefaultTransport) in otelhttp's client
// instrumentation configured by opts: a client span per request, named
// after the method ("GET", as the HTTP semantic conventions name client
// spans without a URL template) unless WithSpanDetails names it, the trace
// context injected in the request header, error status for 4xx and 5xx
// responses and transport errors, and the http.client.request.duration
// metric. The span ends when the response body is read to its end or
// closed.
//
// A request matching an excluded URL gets no span, but the caller's trace
// context is still injected, so the server's span is a child of the
// caller's span.
//
// It returns an error when an excluded URL regular expression does not
// compile (see Validate). The transport holds no goroutine of its own
// (base may: close its idle connections as usual).
func Transport(base http.RoundTripper, opts ...TransportOption) (http.RoundTripper, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	cfg := transportConfig(opts)
	m, err := cfg.excluded()
	if err != nil {
		return nil, err
	}
	inner := base
	if cfg.spanDetails != nil || cfg.requestHook != nil || cfg.responseHook != nil {
		inner = &clientHooks{
			next:         base,
			details:      cfg.spanDetails,
			requestHook:  cfg.requestHook,
			responseHook: cfg.responseHook,
		}
	}
	traced := otelhttp.NewTransport(inner, cfg.otelOptions(otelhttp.WithSpanNameFormatter(clientSpanName))...)
	if m.empty() {
		return traced, nil
	}
	return &excludingTransport{traced: traced, next: base, m: m, propagators: cfg.propagator()}, nil
}

func clientSpanName(_ string, r *http.Request) string { return spanMethod(r.Method) }

// excludingTransport sends excluded requests with the bare transport,
// after injecting the caller's trace context (an otelhttp filter would send
// them without).
type excludingTransport struct {
	traced, next http.RoundTripper
	m            *matcher
	propagators  propagation.TextMapPropagator
}

func (t *excludingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.m.excludedClient(r) {
		return t.traced.RoundTrip(r)
	}
	// A RoundTripper must not change the request: inject into a clone.
	r = r.Clone(r.Context())
	t.propagators.Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	return t.next.RoundTrip(r)
}

// clientHooks runs inside otelhttp's transport: r is otelhttp's clone of
// the request, its context holds the client span and its header the
// injected trace context.
type clientHooks struct {
	next         http.RoundTripper
	details      func(*http.Request) (string, []attribute.KeyValue)
	requestHook  func(trace.Span, *http.Request)
	responseHook func(trace.Span, ResponseInfo)
}

func (t *clientHooks) RoundTrip(r *http.Request) (*http.Response, error) {
	span := trace.SpanFromContext(r.Context())
	if t.details != nil {
		name, attrs := t.details(r)
		if name != "" {
			span.SetName(name)
		}
		if len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
	}
	if t.requestHook != nil {
		t.requestHook(span, r)
	}
	res, err := t.next.RoundTrip(r)
	if t.responseHook != nil {
		info := ResponseInfo{Request: r, Err: err}
		if err == nil && res != nil {
			info.Status = res.StatusCode
			info.Header = res.Header
			info.Size = res.ContentLength
		}
		t.responseHook(span, info)
	}
	return res, err
}
