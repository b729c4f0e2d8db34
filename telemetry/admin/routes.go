package admin

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
)

// PathPrefix is where the admin API's routes live.
const PathPrefix = "/telemetry/v1/components"

// call is one request to a component route, as the operations see it.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	name    string
	comp    *telemetry.Component
	ctl     *telemetry.Control
	persist bool
}

// op serves one method of one route and returns the response body (written
// with 200) or the error.
type op func(h *Handler, c *call) (any, *Error)

// methods maps an HTTP method to its operation.
type methods map[string]op

// routes builds the mux. Patterns carry no method, so that a wrong method
// gets the JSON 405 of dispatch rather than the mux's plain-text one.
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(PathPrefix, h.dispatch(false, methods{http.MethodGet: (*Handler).getComponents}))
	comp := func(suffix string, m methods) { mux.Handle(PathPrefix+"/{name}/"+suffix, h.dispatch(true, m)) }
	comp("status", methods{http.MethodGet: getStatus})
	comp("start", methods{http.MethodPost: (*Handler).postStart})
	comp("stop", methods{http.MethodPost: (*Handler).postStop})
	comp("topics", methods{http.MethodGet: getTopics, http.MethodPut: (*Handler).putTopics})
	comp("sampler", methods{http.MethodGet: getSampler, http.MethodPut: (*Handler).putSampler})
	comp("inflight", methods{http.MethodGet: getInFlight, http.MethodPut: (*Handler).putInFlight})
	for _, sig := range []telemetry.Signal{telemetry.SignalTraces, telemetry.SignalLogs} {
		s := signalOf(sig)
		comp(s.path, methods{http.MethodGet: s.getSwitch, http.MethodPut: s.putSwitch})
		comp(s.path+"/endpoints", methods{
			http.MethodGet:    s.getEndpoints,
			http.MethodPut:    s.putEndpoints,
			http.MethodPost:   s.addEndpoint,
			http.MethodDelete: s.removeEndpoint,
		})
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiError(http.StatusNotFound, "", "",
			fmt.Sprintf("no route %s; the admin API lives under %s", r.URL.Path, PathPrefix), nil))
	}))
	return mux
}

// dispatch checks the method, authorizes the request, finds the component (for
// component routes), reads ?persist and runs the operation.
func (h *Handler) dispatch(hasComponent bool, m methods) http.Handler {
	allowed := slices.Sorted(maps.Keys(m))
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := m[r.Method]
		if !ok {
			w.Header().Set("Allow", allow)
			writeError(w, apiError(http.StatusMethodNotAllowed, "method", r.Method,
				fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path), allowed))
			return
		}
		c := &call{w: w, r: r}
		if e := h.prepare(c, hasComponent); e != nil {
			writeError(w, e)
			return
		}
		v, e := f(h, c)
		if e != nil {
			writeError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// prepare authorizes the request, finds the component and reads ?persist.
func (h *Handler) prepare(c *call, hasComponent bool) *Error {
	change := mutating(c.r.Method)
	if e := h.authorize(c.w, c.r); e != nil {
		return e
	}
	if hasComponent {
		c.name = c.r.PathValue("name")
		comp, e := h.component(c.name)
		if e != nil {
			return e
		}
		c.comp, c.ctl = comp, comp.Control()
	}
	if !change || !c.r.URL.Query().Has("persist") {
		return nil
	}
	v := c.r.URL.Query().Get("persist")
	switch strings.ToLower(v) {
	case "1", "true":
		c.persist = true
	case "0", "false":
		return nil
	default:
		return apiError(http.StatusBadRequest, "persist", v, fmt.Sprintf("persist: %q is not a boolean", v),
			[]string{"1", "true", "0", "false"})
	}
	if h.persister == nil {
		return apiError(http.StatusBadRequest, "persist", v, "persist asked but this server has no property store", nil)
	}
	return nil
}
