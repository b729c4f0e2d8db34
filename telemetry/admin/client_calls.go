package admin

import (
	"context"
	"net/http"

	"github.com/sightline-dev/sightline/telemetry"
)

// Components returns the names of the components the server controls,
// sorted.
func (c *Client) Components(ctx context.Context) ([]string, error) {
	var out componentsBody
	err := c.do(ctx, http.MethodGet, "", "", nil, &out, nil)
	return out.Components, err
}

// Status returns a component's status.
func (c *Client) Status(ctx context.Context, comp string) (telemetry.Status, error) {
	var out telemetry.Status
	err := c.do(ctx, http.MethodGet, comp, "status", nil, &out, nil)
	return out, err
}

// Enable turns a component's telemetry on (POST .../start, the route
// keeps PyTango's name). Like Control.Enable, when an endpoint's exporter
// cannot be built telemetry is on without it, and Enable returns an *Error
// with StatusCode 200 that says which.
func (c *Client) Enable(ctx context.Context, comp string, opts ...CallOption) error {
	var out enabledResponse
	if err := c.do(ctx, http.MethodPost, comp, "start", nil, &out, opts); err != nil {
		return err
	}
	if out.Problem != "" {
		return &Error{StatusCode: http.StatusOK, Message: "telemetry enabled, but " + out.Problem}
	}
	return nil
}

// Disable turns a component's telemetry off (POST .../stop, the route
// keeps PyTango's name), like Control.Disable.
func (c *Client) Disable(ctx context.Context, comp string, opts ...CallOption) error {
	return c.do(ctx, http.MethodPost, comp, "stop", nil, nil, opts)
}

// Topics returns the recorded span topics: "user", "kernel" or "none".
func (c *Client) Topics(ctx context.Context, comp string) ([]string, error) {
	var out topicsBody
	err := c.do(ctx, http.MethodGet, comp, "topics", nil, &out, nil)
	return out.Topics, err
}

// SetTopics sets the recorded span topics (user, kernel, all or none).
func (c *Client) SetTopics(ctx context.Context, comp string, topics []string, opts ...CallOption) error {
	if topics == nil {
		topics = []string{}
	}
	return c.do(ctx, http.MethodPut, comp, "topics", topicsBody{Topics: topics}, nil, opts)
}

// Tracing reports whether the component exports spans (the tracing type).
func (c *Client) Tracing(ctx context.Context, comp string) (bool, error) {
	return c.getSwitch(ctx, comp, "tracing")
}

// SetTracing turns span export on or off.
func (c *Client) SetTracing(ctx context.Context, comp string, on bool, opts ...CallOption) error {
	return c.do(ctx, http.MethodPut, comp, "tracing", enabledRequest{Enabled: &on}, nil, opts)
}

// Logging reports whether the component exports logs (the logging type).
func (c *Client) Logging(ctx context.Context, comp string) (bool, error) {
	return c.getSwitch(ctx, comp, "logging")
}

// SetLogging turns log export on or off.
func (c *Client) SetLogging(ctx context.Context, comp string, on bool, opts ...CallOption) error {
	return c.do(ctx, http.MethodPut, comp, "logging", enabledRequest{Enabled: &on}, nil, opts)
}

func (c *Client) getSwitch(ctx context.Context, comp, route string) (bool, error) {
	var out enabledResponse
	err := c.do(ctx, http.MethodGet, comp, route, nil, &out, nil)
	return out.Enabled, err
}

// TracingEndpoints returns the span endpoints.
func (c *Client) TracingEndpoints(ctx context.Context, comp string) ([]telemetry.Endpoint, error) {
	return c.endpoints(ctx, comp, "tracing/endpoints")
}

// SetTracingEndpoints replaces the span endpoints; none (or an empty list)
// means no export.
func (c *Client) SetTracingEndpoints(ctx context.Context, comp string, eps []telemetry.Endpoint, opts ...CallOption) error {
	return c.setEndpoints(ctx, comp, "tracing/endpoints", eps, opts)
}

// AddTracingEndpoint adds a span endpoint.
func (c *Client) AddTracingEndpoint(ctx context.Context, comp string, ep telemetry.Endpoint, opts ...CallOption) error {
	return c.do(ctx, http.MethodPost, comp, "tracing/endpoints", ep, nil, opts)
}

// RemoveTracingEndpoint removes a span endpoint; removing the last one
// leaves none.
func (c *Client) RemoveTracingEndpoint(ctx context.Context, comp string, ep telemetry.Endpoint, opts ...CallOption) error {
	return c.do(ctx, http.MethodDelete, comp, "tracing/endpoints", ep, nil, opts)
}

// LoggingEndpoints returns the log endpoints.
func (c *Client) LoggingEndpoints(ctx context.Context, comp string) ([]telemetry.Endpoint, error) {
	return c.endpoints(ctx, comp, "logging/endpoints")
}

// SetLoggingEndpoints replaces the log endpoints.
func (c *Client) SetLoggingEndpoints(ctx context.Context, comp string, eps []telemetry.Endpoint, opts ...CallOption) error {
	return c.setEndpoints(ctx, comp, "logging/endpoints", eps, opts)
}

// AddLoggingEndpoint adds a log endpoint.
func (c *Client) AddLoggingEndpoint(ctx context.Context, comp string, ep telemetry.Endpoint, opts ...CallOption) error {
	return c.do(ctx, http.MethodPost, comp, "logging/endpoints", ep, nil, opts)
}

// RemoveLoggingEndpoint removes a log endpoint.
func (c *Client) RemoveLoggingEndpoint(ctx context.Context, comp string, ep telemetry.Endpoint, opts ...CallOption) error {
	return c.do(ctx, http.MethodDelete, comp, "logging/endpoints", ep, nil, opts)
}

func (c *Client) endpoints(ctx context.Context, comp, route string) ([]telemetry.Endpoint, error) {
	var out endpointsBody
	err := c.do(ctx, http.MethodGet, comp, route, nil, &out, nil)
	return out.Endpoints, err
}

func (c *Client) setEndpoints(ctx context.Context, comp, route string, eps []telemetry.Endpoint, opts []CallOption) error {
	if eps == nil {
		eps = []telemetry.Endpoint{}
	}
	return c.do(ctx, http.MethodPut, comp, route, endpointsBody{Endpoints: eps}, nil, opts)
}

// Sampler returns the sampler for new traces.
func (c *Client) Sampler(ctx context.Context, comp string) (telemetry.Sampler, error) {
	var out telemetry.Sampler
	err := c.do(ctx, http.MethodGet, comp, "sampler", nil, &out, nil)
	return out, err
}

// SetSampler changes the sampler for new traces. A Sampler without a name
// is telemetry.RatioSampler(s.Ratio); the ratio of a sampler that takes
// none is ignored.
func (c *Client) SetSampler(ctx context.Context, comp string, s telemetry.Sampler, opts ...CallOption) error {
	req := samplerRequest{Ratio: &s.Ratio}
	if s.Name != "" {
		req.Name = &s.Name
	}
	return c.do(ctx, http.MethodPut, comp, "sampler", req, nil, opts)
}
