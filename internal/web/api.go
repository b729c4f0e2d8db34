package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/internal/store"
)

// Option configures the API of [NewAPI]. Options are values of the With*
// functions.
type Option interface{ applyAPI(*options) }

// apiOption is an Option that runs a function on the options.
type apiOption func(*options)

func (f apiOption) applyAPI(o *options) { f(o) }

type options struct {
	logger  *slog.Logger
	origins map[string]bool
	hosts   map[string]bool
}

// WithLogger sets where the API logs the errors it answers with 500 (the
// client gets the message too). The default discards them; nil keeps it.
func WithLogger(l *slog.Logger) Option {
	return apiOption(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithCORSOrigins lets browser pages from these exact origins (scheme,
// host and port, such as "http://localhost:3000") read the API: their
// requests are answered with Access-Control-Allow-Origin, and preflight
// OPTIONS requests with 204. Without it the API sends no CORS headers, so
// pages of other origins cannot read it.
func WithCORSOrigins(origins ...string) Option {
	return apiOption(func(o *options) {
		for _, origin := range origins {
			o.origins[strings.TrimSuffix(origin, "/")] = true
		}
	})
}

// api holds what the handlers share.
type api struct {
	st    *store.Store
	stats func() any
	opts  options
}

// NewAPI returns the handler of the query API over st: the routes under
// /api/ listed in docs/api.md. stats, when not nil, is what GET /api/stats
// answers (marshalled as JSON): `sightline serve` passes the receiver's
// and the store's counters. Any other path is answered 404 in JSON.
func NewAPI(st *store.Store, stats func() any, opts ...Option) http.Handler {
	a := &api{st: st, stats: stats, opts: options{
		logger:  slog.New(slog.DiscardHandler),
		origins: map[string]bool{},
		hosts:   map[string]bool{},
	}}
	for _, o := range opts {
		if o != nil {
			o.applyAPI(&a.opts)
		}
	}
	mux := http.NewServeMux()
	for _, r := range []struct {
		pattern string
		h       func(http.ResponseWriter, *http.Request) error
	}{
		{"/api/v1/services", a.services},
		{"/api/v1/services/{service}/span-names", a.spanNames},
		{"/api/v1/traces", a.searchTraces},
		{"/api/v1/traces/{trace_id}", a.trace},
		{"/api/v1/traces/{trace_id}/otlp", a.traceOTLP},
		{"/api/v1/logs", a.searchLogs},
		{"/api/stats", a.statsHandler},
		{"/api/traces/{trace_id}", a.tempoTrace},
		{"/api/v2/traces/{trace_id}", a.tempoTraceV2},
		{"/api/echo", a.tempoEcho},
		{"/api/status/buildinfo", a.tempoBuildInfo}, // and Tempo's tag routes (api_tempo_tags.go)
		{"/api/search/tags", a.tempoTags},
		{"/api/v2/search/tags", a.tempoTagsV2},
		{"/api/search/tag/{name}/values", a.tempoTagValues},
		{"/api/v2/search/tag/{name}/values", a.tempoTagValuesV2},
		{"/api/search", a.tempoSearch}, // api_tempo_search.go
	} {
		mux.Handle(r.pattern, a.handle(r.h))
	}
	a.jaegerRoutes(mux) // Jaeger's query API under /jaeger/ (api_jaeger.go)
	mux.Handle("/", a.handle(func(_ http.ResponseWriter, r *http.Request) error {
		return &apiError{Status: http.StatusNotFound, Message: "no such API path: " + r.URL.Path + " (see docs/api.md)"}
	}))
	return a.secure(mux)
}

// handle adapts a handler that returns its error: only GET and HEAD are
// served, and an error is answered as JSON.
func (a *api) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.fail(w, r, &apiError{Status: http.StatusMethodNotAllowed, Message: "method " + r.Method + " not allowed: the API is read-only (GET)"})
			return
		}
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

// secure sets the headers every answer carries and answers CORS.
func (a *api) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if !a.hostAllowed(r) {
			httpjson.Write(w, http.StatusForbidden, &apiError{Message: "Host " + r.Host + " refused: on a loopback address the API answers only requests " +
				"for localhost, 127.0.0.1 or [::1] (a guard against DNS rebinding); see docs/api.md"})
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && a.opts.origins[origin] {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, HEAD")
				h.Set("Access-Control-Allow-Headers", "Accept")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// fail answers err: an *apiError as it says, a missing trace 404, a bad
// cursor or changes token 400, anything else 500 with its text.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, store.ErrBadCursor):
		ae = badParam("cursor", r.URL.Query().Get("cursor"), "the cursor of the previous page of the same listing", "%v", err)
	case errors.Is(err, store.ErrBadToken):
		ae = badParam("changes_since", r.URL.Query().Get("changes_since"), "the changes token of a previous answer for this trace", "%v", err)
	case errors.Is(err, store.ErrNotFound):
		ae = &apiError{Status: http.StatusNotFound, Message: err.Error()}
	case errors.Is(err, store.ErrClosed):
		ae = &apiError{Status: http.StatusServiceUnavailable, Message: "the store is closing: " + err.Error()}
	case r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return // the client went away: nobody to answer
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
		a.opts.logger.Error("query API", "path", r.URL.Path, "query", r.URL.RawQuery, "error", err)
	}
	httpjson.Write(w, ae.Status, ae)
}

// statsHandler answers GET /api/stats.
func (a *api) statsHandler(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, nil); err != nil {
		return err
	}
	var v any = struct{}{}
	if a.stats != nil {
		v = a.stats()
	}
	return answer(w, r, v)
}
