package remote

import (
	"context"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// DeviceTelemetry controls one device's telemetry at runtime through the
// server's admin routes (telemetry/admin), as Tango's admin device does.
// Pass admin.Persist() to a change to store it as the device's properties
// too. Changes apply to this device only; its neighbours on the server keep
// their own settings.
type DeviceTelemetry struct {
	c    *admin.Client
	name string
}

// Telemetry returns the device's telemetry control.
func (d *DeviceProxy) Telemetry() *DeviceTelemetry {
	return &DeviceTelemetry{c: d.p.admin, name: d.name}
}

// Status is the device's telemetry status: settings, endpoint health and
// counters.
func (t *DeviceTelemetry) Status(ctx context.Context) (telemetry.Status, error) {
	return t.c.Status(ctx, t.name)
}

// Start turns the device's telemetry on.
func (t *DeviceTelemetry) Start(ctx context.Context, opts ...admin.CallOption) error {
	return t.c.Start(ctx, t.name, opts...)
}

// Stop turns the device's telemetry off.
func (t *DeviceTelemetry) Stop(ctx context.Context, opts ...admin.CallOption) error {
	return t.c.Stop(ctx, t.name, opts...)
}

// Topics are the span topics recorded.
func (t *DeviceTelemetry) Topics(ctx context.Context) ([]string, error) {
	return t.c.Topics(ctx, t.name)
}

// SetTopics sets the span topics recorded ("user", "kernel").
func (t *DeviceTelemetry) SetTopics(ctx context.Context, topics []string, opts ...admin.CallOption) error {
	return t.c.SetTopics(ctx, t.name, topics, opts...)
}

// SetTracing turns span export on or off.
func (t *DeviceTelemetry) SetTracing(ctx context.Context, on bool, opts ...admin.CallOption) error {
	return t.c.SetTracing(ctx, t.name, on, opts...)
}

// SetLogging turns log export on or off.
func (t *DeviceTelemetry) SetLogging(ctx context.Context, on bool, opts ...admin.CallOption) error {
	return t.c.SetLogging(ctx, t.name, on, opts...)
}

// TracingEndpoints are where the device's spans go.
func (t *DeviceTelemetry) TracingEndpoints(ctx context.Context) ([]telemetry.Endpoint, error) {
	return t.c.TracingEndpoints(ctx, t.name)
}

// SetTracingEndpoints replaces where the device's spans go.
func (t *DeviceTelemetry) SetTracingEndpoints(ctx context.Context, eps []telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.SetTracingEndpoints(ctx, t.name, eps, opts...)
}

// AddTracingEndpoint adds a span endpoint.
func (t *DeviceTelemetry) AddTracingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.AddTracingEndpoint(ctx, t.name, ep, opts...)
}

// RemoveTracingEndpoint removes a span endpoint.
func (t *DeviceTelemetry) RemoveTracingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.RemoveTracingEndpoint(ctx, t.name, ep, opts...)
}

// LoggingEndpoints are where the device's logs go.
func (t *DeviceTelemetry) LoggingEndpoints(ctx context.Context) ([]telemetry.Endpoint, error) {
	return t.c.LoggingEndpoints(ctx, t.name)
}

// SetLoggingEndpoints replaces where the device's logs go.
func (t *DeviceTelemetry) SetLoggingEndpoints(ctx context.Context, eps []telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.SetLoggingEndpoints(ctx, t.name, eps, opts...)
}

// AddLoggingEndpoint adds a log endpoint.
func (t *DeviceTelemetry) AddLoggingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.AddLoggingEndpoint(ctx, t.name, ep, opts...)
}

// RemoveLoggingEndpoint removes a log endpoint.
func (t *DeviceTelemetry) RemoveLoggingEndpoint(ctx context.Context, ep telemetry.Endpoint, opts ...admin.CallOption) error {
	return t.c.RemoveLoggingEndpoint(ctx, t.name, ep, opts...)
}

// SetSampler sets the sampler of new traces.
func (t *DeviceTelemetry) SetSampler(ctx context.Context, s telemetry.Sampler, opts ...admin.CallOption) error {
	return t.c.SetSampler(ctx, t.name, s, opts...)
}
