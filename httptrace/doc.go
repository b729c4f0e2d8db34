// Package httptrace traces HTTP servers and clients, and functions and
// iterators, with OpenTelemetry: one set of options for the server and the
// client, in the manner of asgi-monitor's TracingConfig, on top of otelhttp
// (go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp), which
// does the spans, the
// semantic-convention attributes, the propagation and most of the metrics;
// Middleware adds http.server.active_requests.
//
// # Example
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /scans/{id}", getScan)
//	h, err := httptrace.Middleware(mux,
//		httptrace.WithKey("scan-api"), // also reads SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS
//		httptrace.WithExcludedURLs(`^/healthz$`),
//		httptrace.WithResponseHook(func(span trace.Span, info httptrace.ResponseInfo) {
//			logger.InfoContext(info.Request.Context(), "access",
//				"method", info.Request.Method, "status", info.Status, "bytes", info.Size)
//		}))
//	if err != nil {
//		return err // a bad excluded URL regular expression, named with its source
//	}
//	rt, err := httptrace.Transport(nil) // nil: http.DefaultTransport
//	client := &http.Client{Transport: rt}
//
//	err = httptrace.Do(ctx, "rebuild index", func(ctx context.Context) error { ... })
//	scan := httptrace.Func("scan", doScan, httptrace.WithArgAttributes(func(id string) []attribute.KeyValue {
//		return []attribute.KeyValue{attribute.String("scan.id", id)}
//	}))
//	for row := range httptrace.Seq(ctx, "read rows", rows) { ... }
//
// # Options
//
// Middleware takes MiddlewareOptions and Transport TransportOptions; every
// HTTP option is an Option, which satisfies both, so one value (a tracer
// provider, a propagator, excluded URLs) is written once for the server and
// the client: WithKey, WithExcludedURLs, WithExcludedURLsEnv, WithEnv,
// WithSpanDetails (span name and attribute extractor), WithRequestHook,
// WithResponseHook, WithRoute, WithOTelPythonEnv, WithTracerProvider,
// WithMeterProvider, WithPropagator
// (unset: the OpenTelemetry globals) and WithOTelHTTPOptions. Do, Func and
// the iterator helpers take SpanOptions (WithTracer, WithSpanKind,
// WithAttributes, WithArgAttributes); an HTTP option does not compile
// there, nor a span option on the middleware. The environment is read
// through WithEnv's func(name string) (string, bool), the module's one
// getenv shape (default os.LookupEnv).
//
// Excluded URLs come from three places, which all apply: the
// comma-separated regular expressions of SIGHTLINE_HTTP_EXCLUDED_URLS (or
// the variable WithExcludedURLsEnv names), those of
// SIGHTLINE_HTTP_<KEY>_EXCLUDED_URLS when WithKey is given, and
// WithExcludedURLs. A regular expression that does not compile makes
// Middleware, Transport and Validate fail with an *ExcludedURLError naming
// the variable (or WithExcludedURLs[i]), the value and the regexp error.
// Blank entries are skipped. The middleware and the transport hold no
// goroutine of their own and need no shutdown.
//
// # Decisions
//
//   - Excluded URLs: a regular expression is searched (unanchored, as
//     OpenTelemetry Python does; anchor it with ^ and $) in the URL path,
//     "/healthz". One that contains "://" is searched in the full URL
//     instead, "http://host:port/path?query", which is what OpenTelemetry
//     Python and asgi-monitor always match against; that is the way to match
//     a host or a query. An excluded request gets no span, no metric and
//     no hook call, and is served or sent all the same; the Transport still
//     injects the caller's trace context into it.
//   - Server span names: "METHOD /route" from the pattern the ServeMux
//     matched (Request.Pattern, without its method and host), and http.route
//     on the span and on otelhttp's metrics. A request no pattern matched
//     (the mux's 404 or 405) is named "METHOD" alone, as the HTTP semantic
//     conventions ask, to keep span names few. A method outside the
//     standard ones is "HTTP". Middleware must wrap the mux itself: a
//     handler in between that passes a copy of the request
//     (r.WithContext) hides the pattern.
//   - Other routers: WithRoute(f) takes the route from f(r) after the
//     handler returned (chi's RoutePattern, gorilla/mux's
//     GetPathTemplate, with Middleware installed as the router's
//     middleware); an empty route falls back to Request.Pattern. Routers
//     that are not net/http middleware chains (gin, echo) copy their route
//     into Request.Pattern in their own middleware.
//   - OpenTelemetry Python's excluded URLs are honoured beside sightline's
//     (WithOTelPythonEnv(false) turns them off): the server reads
//     OTEL_PYTHON_FASTAPI_EXCLUDED_URLS when it is set, else
//     OTEL_PYTHON_EXCLUDED_URLS; the client OTEL_PYTHON_EXCLUDED_URLS.
//     Their entries are searched in the full URL, as Python does. All
//     sources add up: a URL excluded by any is excluded.
//   - Client span names: "METHOD" (the conventions' name without a URL
//     template), not otelhttp's "HTTP GET".
//   - The span details (WithSpanDetails) are asked once per request: on
//     the server after the handler returned, so they see r.Pattern; on the
//     client before sending. A non-empty name replaces the default one;
//     the attributes are added.
//   - The request hook runs before the handler (before sending), the
//     response hook after it returned (when the response header came),
//     both with the request's span, which is still recording. ResponseInfo carries the
//     status, header, size and the request, whose context holds the span.
//     When a handler panics, the span gets its name and the status Error
//     "panic: <value>" (the SDK's span.End, deferred by otelhttp, adds the
//     exception event), the panic goes on, and the response hook is not
//     called.
//   - Status: otelhttp sets Error for server responses 5xx (not 4xx) and
//     client responses 4xx and 5xx.
//   - Metrics: otelhttp records http.server.request.duration,
//     http.server.request.body.size and http.server.response.body.size
//     (with http.route and http.response.status_code), and the client's
//     http.client.request.duration and http.client.request.body.size, in
//     its own instrumentation scope. otelhttp v0.72 has no active-requests
//     metric, so Middleware adds http.server.active_requests, an
//     Int64UpDownCounter of scope ScopeName made once from the meter
//     provider (WithMeterProvider; an error making it is returned by
//     Middleware): +1 when a request that is not excluded starts, -1 when it ends,
//     panic included. Its attributes are the ones the semantic conventions
//     require, http.request.method (a non-standard method is "_OTHER") and
//     url.scheme ("https" when the request came over TLS); not http.route,
//     which is not known before routing. The Transport has no
//     active-requests metric.
//   - Functions and iterators: spans are internal by default and come from
//     the global tracer of scope ScopeName unless WithTracer is given. An
//     error is recorded (RecordError, status Error with its message); a
//     panic is recorded (exception event with type, message and stack,
//     status Error "panic: <value>") and goes on with the same value; the
//     span always ends. An iterator span starts when a range starts and
//     covers the whole loop; it has iter.items (items handed to the loop
//     body) and iter.stopped_early=true after a break.
//
// # Log correlation
//
// A handler or hook that logs with the request's context gets the trace and
// span ids in its records when its slog handler is wrapped by
// telemetry.TraceContextHandler (or is a telemetry component's Logger):
//
//	logger := slog.New(telemetry.TraceContextHandler(slog.NewTextHandler(os.Stdout, nil)))
//	logger.InfoContext(r.Context(), "request", "path", r.URL.Path) // ... trace_id=... span_id=...
//
// See ExampleMiddleware_accessLog and docs/http-tracing.md.
package httptrace
