package remote

import (
	"context"
	"net/http"
	"net/url"
)

// TelemetryPathPrefix is where a device server answers the telemetry admin
// API (telemetry/admin's PathPrefix): one component per running device,
// named by the device.
const TelemetryPathPrefix = "/telemetry/v1/components"

// DeviceTelemetry controls one device's telemetry through its server, as
// PyTango's DeviceProxy and the DServer admin commands do: whether it is
// on, tracing and logging, topics, sampler and endpoints, read and changed
// at runtime (docs/admin-api.md has the routes). Changes need the
// server's admin token (WithAdminToken); a change made with Persist is
// also stored as the device's property, so it survives a restart. The
// calls are not traced: they configure telemetry rather than use the
// device. Errors are *Error values: CodeUnknownDevice when the device is
// not running on the server, CodeBadArgument for a refused value (the
// message names it and what is allowed), CodeNotAuthorized for a missing
// or wrong token. It is safe for concurrent use.
type DeviceTelemetry struct {
	p    *Proxy
	name string
}

// Telemetry returns the control of the device's telemetry.
func (d *DeviceProxy) Telemetry() *DeviceTelemetry { return &DeviceTelemetry{p: d.p, name: d.name} }

// TelemetryOption changes one telemetry change of DeviceTelemetry.
type TelemetryOption interface{ applyTelemetry(*telemetryCall) }

type telemetryCall struct{ persist bool }

type telemetryOption func(*telemetryCall)

func (f telemetryOption) applyTelemetry(c *telemetryCall) { f(c) }

// Persist also stores the change as the device's property (?persist=1),
// so it survives a restart of the device; the server refuses it, and
// changes nothing, when it has no property store.
func Persist() TelemetryOption { return telemetryOption(func(c *telemetryCall) { c.persist = true }) }

// Status returns the device's telemetry status.
func (t *DeviceTelemetry) Status(ctx context.Context) (TelemetryStatus, error) {
	var out TelemetryStatus
	err := t.p.adminCall(ctx, http.MethodGet, t.name, "status", nil, &out, nil)
	return out, err
}

// Enabled reports whether the device's telemetry is on (PyTango's
// is_telemetry_enabled).
func (t *DeviceTelemetry) Enabled(ctx context.Context) (bool, error) {
	st, err := t.Status(ctx)
	return st.Enabled, err
}

// Enable turns the device's telemetry on (route .../start).
func (t *DeviceTelemetry) Enable(ctx context.Context, opts ...TelemetryOption) error {
	var out struct {
		Problem string `json:"problem"`
	}
	if err := t.p.adminCall(ctx, http.MethodPost, t.name, "start", nil, &out, opts); err != nil {
		return err
	}
	if out.Problem != "" {
		return &Error{Code: CodeFailed, Device: t.name, HTTPStatus: http.StatusOK, Message: "telemetry enabled, but " + out.Problem}
	}
	return nil
}

// Disable turns the device's telemetry off (route .../stop).
func (t *DeviceTelemetry) Disable(ctx context.Context, opts ...TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodPost, t.name, "stop", nil, nil, opts)
}

// Tracing reports whether the device exports spans.
func (t *DeviceTelemetry) Tracing(ctx context.Context) (bool, error) {
	return t.getSwitch(ctx, "tracing")
}

// SetTracing turns span export on or off.
func (t *DeviceTelemetry) SetTracing(ctx context.Context, on bool, opts ...TelemetryOption) error {
	return t.setSwitch(ctx, "tracing", on, opts)
}

// Logging reports whether the device exports log records.
func (t *DeviceTelemetry) Logging(ctx context.Context) (bool, error) {
	return t.getSwitch(ctx, "logging")
}

// SetLogging turns log export on or off.
func (t *DeviceTelemetry) SetLogging(ctx context.Context, on bool, opts ...TelemetryOption) error {
	return t.setSwitch(ctx, "logging", on, opts)
}

type switchBody struct {
	Enabled bool `json:"enabled"`
}

func (t *DeviceTelemetry) getSwitch(ctx context.Context, route string) (bool, error) {
	var out switchBody
	err := t.p.adminCall(ctx, http.MethodGet, t.name, route, nil, &out, nil)
	return out.Enabled, err
}

func (t *DeviceTelemetry) setSwitch(ctx context.Context, route string, on bool, opts []TelemetryOption) error {
	return t.p.adminCall(ctx, http.MethodPut, t.name, route, switchBody{Enabled: on}, nil, opts)
}

type topicsBody struct {
	Topics []string `json:"topics"`
}

// Topics returns the span topics the device records: user, kernel, or
// none.
func (t *DeviceTelemetry) Topics(ctx context.Context) ([]string, error) {
	var out topicsBody
	err := t.p.adminCall(ctx, http.MethodGet, t.name, "topics", nil, &out, nil)
	return out.Topics, err
}

// SetTopics sets the span topics the device records (user, kernel, all or
// none; PyTango's "all" is user and kernel).
func (t *DeviceTelemetry) SetTopics(ctx context.Context, topics []string, opts ...TelemetryOption) error {
	if topics == nil {
		topics = []string{}
	}
	return t.p.adminCall(ctx, http.MethodPut, t.name, "topics", topicsBody{Topics: topics}, nil, opts)
}

// Sampler returns the sampler of the device's new traces.
func (t *DeviceTelemetry) Sampler(ctx context.Context) (TelemetrySampler, error) {
	var out TelemetrySampler
	err := t.p.adminCall(ctx, http.MethodGet, t.name, "sampler", nil, &out, nil)
	return out, err
}

// SetSampler changes the sampler of the device's new traces; a sampler
// without a name is parentbased_traceidratio of s.Ratio.
func (t *DeviceTelemetry) SetSampler(ctx context.Context, s TelemetrySampler, opts ...TelemetryOption) error {
	req := struct {
		Name  *string `json:"name,omitempty"`
		Ratio float64 `json:"ratio"`
	}{Ratio: s.Ratio}
	if s.Name != "" {
		req.Name = &s.Name
	}
	return t.p.adminCall(ctx, http.MethodPut, t.name, "sampler", req, nil, opts)
}

// adminPath is the route of a device's telemetry admin API.
func adminPath(device, route string) string {
	return TelemetryPathPrefix + "/" + url.PathEscape(device) + "/" + route
}
