package admin

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/sightline-dev/sightline/telemetry"
)

// Handler serves the admin API for a set of components. It is safe for
// concurrent use; components may be added and removed while it serves.
type Handler struct {
	token     string // "" means none: mutating requests only on loopback
	persister Persister
	maxBody   int64
	mux       *http.ServeMux
	listening func(net.Addr) // tests: told the address Serve serves on

	mu    sync.RWMutex
	comps map[string]*telemetry.Component
}

// NewHandler returns a handler for the admin API. The bearer token comes
// from WithToken or else the SIGHTLINE_ADMIN_TOKEN environment variable.
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
	if !o.hasToken && o.getenv != nil {
		if v, ok := o.getenv(TokenEnv); ok {
			o.token = v
		}
	}
	h := &Handler{token: strings.TrimSpace(o.token), persister: o.persister, maxBody: o.maxBody,
		comps: map[string]*telemetry.Component{}}
	for _, c := range o.comps {
		if err := h.Add(c); err != nil {
			return nil, err
		}
	}
	h.mux = h.routes()
	return h, nil
}

// Add serves one more component. A nil component, an empty name or a name
// already served is an error.
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
