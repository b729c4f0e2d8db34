package remote

import (
	"context"
	"net/http"
)

type endpointsBody struct {
	Endpoints []TelemetryEndpoint `json:"endpoints"`
}

// TracingEndpoints returns where the device's spans go.
func (t *DeviceTelemetry) TracingEndpoints(ctx context.Context) ([]TelemetryEndpoint, error) {
	return t.endpoints(ctx, "tracing/endpoints")
}

// SetTracingEndpoints replaces where the device's spans go; an empty list
// means nowhere.
func (t *DeviceTelemetry) SetTracingEndpoints(ctx context.Context, eps []TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.setEndpoints(ctx, "tracing/endpoints", eps, opts)
}

// AddTracingEndpoint adds a span endpoint.
func (t *DeviceTelemetry) AddTracingEndpoint(ctx context.Context, ep TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodPost, t.name, "tracing/endpoints", ep, nil, opts)
}

// RemoveTracingEndpoint removes a span endpoint; removing the last one
// leaves none.
func (t *DeviceTelemetry) RemoveTracingEndpoint(ctx context.Context, ep TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodDelete, t.name, "tracing/endpoints", ep, nil, opts)
}

// LoggingEndpoints returns where the device's log records go.
func (t *DeviceTelemetry) LoggingEndpoints(ctx context.Context) ([]TelemetryEndpoint, error) {
	return t.endpoints(ctx, "logging/endpoints")
}

// SetLoggingEndpoints replaces where the device's log records go.
func (t *DeviceTelemetry) SetLoggingEndpoints(ctx context.Context, eps []TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.setEndpoints(ctx, "logging/endpoints", eps, opts)
}

// AddLoggingEndpoint adds a log endpoint.
func (t *DeviceTelemetry) AddLoggingEndpoint(ctx context.Context, ep TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodPost, t.name, "logging/endpoints", ep, nil, opts)
}

// RemoveLoggingEndpoint removes a log endpoint.
func (t *DeviceTelemetry) RemoveLoggingEndpoint(ctx context.Context, ep TelemetryEndpoint, opts ...TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodDelete, t.name, "logging/endpoints", ep, nil, opts)
}

func (t *DeviceTelemetry) endpoints(ctx context.Context, route string) ([]TelemetryEndpoint, error) {
	var out endpointsBody
	err := t.p.adminCall(ctx, http.MethodGet, t.name, route, nil, &out, nil)
	return out.Endpoints, err
}

func (t *DeviceTelemetry) setEndpoints(ctx context.Context, route string, eps []TelemetryEndpoint, opts []TelemetryOption) error {
	if eps == nil {
		eps = []TelemetryEndpoint{}
	}
	return t.p.adminCall(ctx, http.MethodPut, t.name, route, endpointsBody{Endpoints: eps}, nil, opts)
}
