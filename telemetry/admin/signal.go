package admin

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
)

// signal holds what differs between the tracing and the logging routes:
// the path, the setting keys and the Control methods.
type signal struct {
	sig          telemetry.Signal
	path         string // "tracing" or "logging"
	endpointsKey string
	get          func(*telemetry.Control) bool
	set          func(*telemetry.Control, bool) error
	endpoints    func(*telemetry.Control) []telemetry.Endpoint
	setEps       func(*telemetry.Control, context.Context, []telemetry.Endpoint) error
	addEp        func(*telemetry.Control, context.Context, telemetry.Endpoint) error
	removeEp     func(*telemetry.Control, context.Context, telemetry.Endpoint) error
}

func signalOf(sig telemetry.Signal) signal {
	if sig == telemetry.SignalLogs {
		return signal{sig: sig, path: "logging", endpointsKey: telemetry.KeyLoggingEndpoints,
			get: (*telemetry.Control).Logging, set: (*telemetry.Control).SetLogging,
			endpoints: (*telemetry.Control).LoggingEndpoints, setEps: (*telemetry.Control).SetLoggingEndpoints,
			addEp: (*telemetry.Control).AddLoggingEndpoint, removeEp: (*telemetry.Control).RemoveLoggingEndpoint}
	}
	return signal{sig: sig, path: "tracing", endpointsKey: telemetry.KeyTracingEndpoints,
		get: (*telemetry.Control).Tracing, set: (*telemetry.Control).SetTracing,
		endpoints: (*telemetry.Control).TracingEndpoints, setEps: (*telemetry.Control).SetTracingEndpoints,
		addEp: (*telemetry.Control).AddTracingEndpoint, removeEp: (*telemetry.Control).RemoveTracingEndpoint}
}

func (s signal) getSwitch(_ *Handler, c *call) (any, *Error) {
	return enabledResponse{Enabled: s.get(c.ctl)}, nil
}

// putSwitch turns the signal's type (tracing or logging) on or off.
func (s signal) putSwitch(h *Handler, c *call) (any, *Error) {
	var body enabledRequest
	if e := h.readBody(c.w, c.r, &body, `{"enabled":true}`, []string{"enabled"}); e != nil {
		return nil, e
	}
	if body.Enabled == nil {
		return nil, apiError(http.StatusBadRequest, "enabled", "", "enabled: missing", []string{"true", "false"})
	}
	on := *body.Enabled
	if e := h.change(c, telemetry.KeyTypes, "enabled", fmt.Sprint(on), func() error { return s.set(c.ctl, on) }); e != nil {
		return nil, e
	}
	return enabledResponse{Enabled: s.get(c.ctl)}, nil
}

func (s signal) current(c *call) endpointsBody {
	eps := s.endpoints(c.ctl)
	if eps == nil {
		eps = []telemetry.Endpoint{}
	}
	return endpointsBody{Endpoints: eps}
}

func (s signal) getEndpoints(_ *Handler, c *call) (any, *Error) { return s.current(c), nil }

// putEndpoints replaces the endpoints; an empty list means none. A file
// endpoint the signal does not have already must lie in an allowed
// directory (filedirs.go).
func (s signal) putEndpoints(h *Handler, c *call) (any, *Error) {
	var body endpointsBody
	example := `{"endpoints":[{"exporter":"http","url":"http://127.0.0.1:4318"}]}`
	if e := h.readBody(c.w, c.r, &body, example, []string{"endpoints"}); e != nil {
		return nil, e
	}
	if body.Endpoints == nil {
		return nil, apiError(http.StatusBadRequest, "endpoints", "", "endpoints: missing (give [] for none)", nil)
	}
	texts := make([]string, len(body.Endpoints))
	current := s.endpoints(c.ctl)
	for i, ep := range body.Endpoints {
		prefix := fmt.Sprintf("endpoints[%d].", i)
		if e := s.check(prefix, ep); e != nil {
			return nil, e
		}
		norm, _ := telemetry.ParseEndpoint(s.sig, ep.Exporter, ep.URL)
		if e := h.checkFile(prefix+"url", norm, current); e != nil {
			return nil, e
		}
		texts[i] = ep.String()
	}
	value := strings.Join(texts, ", ")
	if e := h.change(c, s.endpointsKey, "endpoints", value, func() error {
		return s.setEps(c.ctl, context.WithoutCancel(c.r.Context()), body.Endpoints)
	}); e != nil {
		return nil, e
	}
	return s.current(c), nil
}

// addEndpoint adds one endpoint (adding to "none" replaces it); a file
// endpoint must lie in an allowed directory (filedirs.go).
func (s signal) addEndpoint(h *Handler, c *call) (any, *Error) {
	ep, e := s.readEndpoint(h, c)
	if e != nil {
		return nil, e
	}
	if e := h.checkFile("url", ep, s.endpoints(c.ctl)); e != nil {
		return nil, e
	}
	if e := h.change(c, s.endpointsKey, "", ep.String(), func() error {
		return s.addEp(c.ctl, context.WithoutCancel(c.r.Context()), ep)
	}); e != nil {
		return nil, e
	}
	return s.current(c), nil
}

// removeEndpoint removes one configured endpoint (removing the last leaves
// "none"); one not configured is a 400 listing the configured ones.
func (s signal) removeEndpoint(h *Handler, c *call) (any, *Error) {
	ep, e := s.readEndpoint(h, c)
	if e != nil {
		return nil, e
	}
	cur := s.endpoints(c.ctl)
	if !slices.Contains(cur, ep) {
		configured := make([]string, len(cur))
		for i, x := range cur {
			configured[i] = x.String()
		}
		return nil, apiError(http.StatusBadRequest, "", ep.String(),
			fmt.Sprintf("endpoint %s is not configured", ep), configured)
	}
	if e := h.change(c, s.endpointsKey, "", ep.String(), func() error {
		return s.removeEp(c.ctl, context.WithoutCancel(c.r.Context()), ep)
	}); e != nil {
		return nil, e
	}
	return s.current(c), nil
}

// readEndpoint reads and checks the {"exporter":..,"url":..} body of POST
// and DELETE, and returns it in normal form.
func (s signal) readEndpoint(h *Handler, c *call) (telemetry.Endpoint, *Error) {
	var body endpointBody
	example := `{"exporter":"http","url":"http://127.0.0.1:4318"}`
	if e := h.readBody(c.w, c.r, &body, example, []string{"exporter", "url"}); e != nil {
		return telemetry.Endpoint{}, e
	}
	if e := s.check("", body); e != nil {
		return telemetry.Endpoint{}, e
	}
	ep, _ := telemetry.ParseEndpoint(s.sig, body.Exporter, body.URL)
	return ep, nil
}

// check validates one endpoint; the error names prefix+"exporter" when
// the exporter is unknown and prefix+"url" otherwise.
func (s signal) check(prefix string, ep telemetry.Endpoint) *Error {
	_, err := telemetry.ParseEndpoint(s.sig, ep.Exporter, ep.URL)
	if err == nil {
		return nil
	}
	if !slices.Contains(telemetry.Exporters(), strings.ToLower(strings.TrimSpace(ep.Exporter))) {
		return valueProblem(http.StatusBadRequest, prefix+"exporter", ep.Exporter, err)
	}
	return valueProblem(http.StatusBadRequest, prefix+"url", ep.URL, err)
}
