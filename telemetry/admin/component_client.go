package admin

import (
	"context"

	"github.com/sightline-dev/sightline/telemetry"
)

// ComponentClient is a Client bound to one component: a device's telemetry
// seen from its proxy's side (the device's name is its component's name on
// a device server), or one service's. Its methods are the Client's without
// the component argument. It is safe for concurrent use.
type ComponentClient struct {
	c    *Client
	name string
}

// Component binds the client to the component called name.
func (c *Client) Component(name string) *ComponentClient { return &ComponentClient{c: c, name: name} }

// Name is the component's name.
func (b *ComponentClient) Name() string { return b.name }

// Status returns the component's telemetry status.
func (b *ComponentClient) Status(ctx context.Context) (telemetry.Status, error) {
	return b.c.Status(ctx, b.name)
}

// Enable turns the component's telemetry on (route .../start).
func (b *ComponentClient) Enable(ctx context.Context, opts ...CallOption) error {
	return b.c.Enable(ctx, b.name, opts...)
}

// Disable turns the component's telemetry off (route .../stop).
func (b *ComponentClient) Disable(ctx context.Context, opts ...CallOption) error {
	return b.c.Disable(ctx, b.name, opts...)
}

// Topics returns the recorded span topics.
func (b *ComponentClient) Topics(ctx context.Context) ([]string, error) {
	return b.c.Topics(ctx, b.name)
}

// SetTopics sets the recorded span topics.
func (b *ComponentClient) SetTopics(ctx context.Context, topics []string, opts ...CallOption) error {
	return b.c.SetTopics(ctx, b.name, topics, opts...)
}

// Tracing reports whether spans are exported.
func (b *ComponentClient) Tracing(ctx context.Context) (bool, error) { return b.c.Tracing(ctx, b.name) }

// SetTracing turns span export on or off.
func (b *ComponentClient) SetTracing(ctx context.Context, on bool, opts ...CallOption) error {
	return b.c.SetTracing(ctx, b.name, on, opts...)
}

// Logging reports whether log records are exported.
func (b *ComponentClient) Logging(ctx context.Context) (bool, error) { return b.c.Logging(ctx, b.name) }

// SetLogging turns log export on or off.
func (b *ComponentClient) SetLogging(ctx context.Context, on bool, opts ...CallOption) error {
	return b.c.SetLogging(ctx, b.name, on, opts...)
}

// TracingEndpoints returns the span endpoints.
func (b *ComponentClient) TracingEndpoints(ctx context.Context) ([]telemetry.Endpoint, error) {
	return b.c.TracingEndpoints(ctx, b.name)
}

// SetTracingEndpoints replaces the span endpoints.
func (b *ComponentClient) SetTracingEndpoints(ctx context.Context, eps []telemetry.Endpoint, opts ...CallOption) error {
	return b.c.SetTracingEndpoints(ctx, b.name, eps, opts...)
}

// AddTracingEndpoint adds a span endpoint.
func (b *ComponentClient) AddTracingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...CallOption) error {
	return b.c.AddTracingEndpoint(ctx, b.name, ep, opts...)
}

// RemoveTracingEndpoint removes a span endpoint.
func (b *ComponentClient) RemoveTracingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...CallOption) error {
	return b.c.RemoveTracingEndpoint(ctx, b.name, ep, opts...)
}

// LoggingEndpoints returns the log endpoints.
func (b *ComponentClient) LoggingEndpoints(ctx context.Context) ([]telemetry.Endpoint, error) {
	return b.c.LoggingEndpoints(ctx, b.name)
}

// SetLoggingEndpoints replaces the log endpoints.
func (b *ComponentClient) SetLoggingEndpoints(ctx context.Context, eps []telemetry.Endpoint, opts ...CallOption) error {
	return b.c.SetLoggingEndpoints(ctx, b.name, eps, opts...)
}

// AddLoggingEndpoint adds a log endpoint.
func (b *ComponentClient) AddLoggingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...CallOption) error {
	return b.c.AddLoggingEndpoint(ctx, b.name, ep, opts...)
}

// RemoveLoggingEndpoint removes a log endpoint.
func (b *ComponentClient) RemoveLoggingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...CallOption) error {
	return b.c.RemoveLoggingEndpoint(ctx, b.name, ep, opts...)
}

// Sampler returns the sampler of new traces.
func (b *ComponentClient) Sampler(ctx context.Context) (telemetry.Sampler, error) {
	return b.c.Sampler(ctx, b.name)
}

// SetSampler sets the sampler of new traces.
func (b *ComponentClient) SetSampler(ctx context.Context, s telemetry.Sampler, opts ...CallOption) error {
	return b.c.SetSampler(ctx, b.name, s, opts...)
}
