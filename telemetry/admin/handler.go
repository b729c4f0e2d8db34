package admin

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"

	"github.com/sightline-dev/sightline/telemetry"
)

// Handler serves the admin API for a set of components. It is safe for
// concurrent use; components may be added and removed while it serves.
type Handler struct {
	token           string // never empty: configured or generated
	tokenConfigured bool   // WithToken or SIGHTLINE_ADMIN_TOKEN, not generated
	persister       Persister
	maxBody         int64
	mux             *http.ServeMux
	runtimeDir      string         // "" means RuntimeDir()
	ready           func(net.Addr) // WithReady
	refused         refusals

	mu        sync.RWMutex
	comps     map[string]*telemetry.Component
	fileDirs  []string        // where runtime file endpoints may go: absolute, symlinks resolved
	published map[string]bool // token files this handler wrote
}

// NewHandler returns a handler for the admin API. The bearer token comes
// from WithToken, else the SIGHTLINE_ADMIN_TOKEN environment variable, and
// must be at least MinTokenLength characters; without either the handler
// generates one (Token), which Serve publishes in the token file. A
// directory of WithFileDirs or SIGHTLINE_ADMIN_FILE_DIRS that is not
// absolute is an error.
func NewHandler(opts ...Option) (*Handler, error) {
	o := handlerOptions{getenv: os.LookupEnv, maxBody: DefaultMaxBody}
	for _, opt := range opts {
		if opt != nil {
			opt.applyHandler(&o)
		}
	}
	if o.maxBody <= 0 {
		return nil, fmt.Errorf("telemetry admin: max body %d is not positive", o.maxBody)
	}
	token, configured, err := resolveToken(o)
	if err != nil {
		return nil, err
	}
	dirs, err := allowedDirs(o)
	if err != nil {
		return nil, err
	}
	h := &Handler{token: token, tokenConfigured: configured, persister: o.persister, maxBody: o.maxBody,
		runtimeDir: o.runtimeDir, ready: o.ready, comps: map[string]*telemetry.Component{},
		fileDirs: dirs, published: map[string]bool{}}
	for _, c := range o.comps {
		if err := h.Add(c); err != nil {
			return nil, err
		}
	}
	h.mux = h.routes()
	return h, nil
}

// Token returns the bearer token changes need: the configured one or the
// generated one. Give it only to the process's own clients; never log it.
func (h *Handler) Token() string { return h.token }

// TokenConfigured reports whether the token was configured (WithToken or
// SIGHTLINE_ADMIN_TOKEN) rather than generated; only then may the API
// listen on an address other hosts can reach (see CheckAddress).
func (h *Handler) TokenConfigured() bool { return h.tokenConfigured }

// Add serves one more component. A nil component, an empty name or a name
// already served is an error. The directories of the component's file
// endpoints, as configured now, become allowed for file endpoints set at
// runtime.
func (h *Handler) Add(c *telemetry.Component) error {
	if c == nil {
		return errors.New("telemetry admin: nil component")
	}
	name := c.Name()
	if name == "" {
		return errors.New("telemetry admin: component has an empty name")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.comps[name]; dup {
		return fmt.Errorf("telemetry admin: component %q is already served", name)
	}
	h.comps[name] = c
	h.allowDirsOf(c)
	return nil
}

// Remove stops serving the named component (requests already running
// finish). Removing a name not served does nothing.
func (h *Handler) Remove(name string) {
	h.mu.Lock()
	delete(h.comps, name)
	h.mu.Unlock()
}

// names returns the served component names, sorted.
func (h *Handler) names() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return slices.Sorted(maps.Keys(h.comps))
}

// component finds a served component, or the 404 naming the served ones.
func (h *Handler) component(name string) (*telemetry.Component, *Error) {
	h.mu.RLock()
	c, ok := h.comps[name]
	h.mu.RUnlock()
	if ok {
		return c, nil
	}
	return nil, apiError(http.StatusNotFound, "component", name,
		fmt.Sprintf("unknown component %q", name), h.names())
}

// ServeHTTP serves the admin API routes (see docs/admin-api.md).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}
