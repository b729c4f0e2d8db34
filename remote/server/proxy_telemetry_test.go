package server_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// TestProxyTelemetryControl: a device's proxy controls the device's
// telemetry as the admin client does (PyTango's DeviceProxy and DServer
// telemetry commands: "start/stop, enable/disable, tracing/logging
// endpoint changes, and topic changes", pytango merge request 993,
// "Implement runtime telemetry configuration"): on/off, tracing and
// logging, topics, sampler, endpoints (set, add, remove) and persisting,
// each change seen by the server (through the admin client) and only on
// that device; the token comes from the server's token file on loopback.
func TestProxyTelemetryControl(t *testing.T) {
	ctx := context.Background()
	store, err := properties.Open(ctx, filepath.Join(t.TempDir(), "props.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mem, _ := newMem(t)
	_, addr := startServer(t, "CalcServer/proxytel", memEnv(mem), []server.Option{server.WithPropertyStore(store)},
		calc("lab/calc/1"), calc("lab/calc/2"))
	p := dial(t, addr, offEnv)
	tel := p.Device("lab/calc/1").Telemetry()
	adm := adminClient(t, addr)
	status := func(name string) telemetry.Status {
		t.Helper()
		st, err := adm.Status(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	st, err := tel.Status(ctx)
	if err != nil || st.Component != "lab/calc/1" || !st.Enabled || !st.Tracing || !slices.Equal(st.Topics, []string{"user"}) {
		t.Fatalf("status %+v, %v", st, err)
	}
	must("disable", tel.Disable(ctx))
	if on, err := tel.Enabled(ctx); err != nil || on || status("lab/calc/1").Enabled {
		t.Fatalf("after Disable: Enabled %v, %v; server %v", on, err, status("lab/calc/1").Enabled)
	}
	if !status("lab/calc/2").Enabled {
		t.Fatal("disabling lab/calc/1 disabled lab/calc/2")
	}
	must("enable", tel.Enable(ctx))
	if on, err := tel.Enabled(ctx); err != nil || !on {
		t.Fatalf("after Enable: %v, %v", on, err)
	}

	must("tracing off", tel.SetTracing(ctx, false))
	must("logging on", tel.SetLogging(ctx, true))
	tr, err1 := tel.Tracing(ctx)
	lg, err2 := tel.Logging(ctx)
	if tr || !lg || err1 != nil || err2 != nil || status("lab/calc/1").Tracing || !status("lab/calc/1").Logging {
		t.Fatalf("tracing %v (%v), logging %v (%v); server %+v", tr, err1, lg, err2, status("lab/calc/1"))
	}
	must("tracing on", tel.SetTracing(ctx, true))

	must("topics", tel.SetTopics(ctx, []string{"all"}))
	if tp, err := tel.Topics(ctx); err != nil || !slices.Equal(tp, []string{"user", "kernel"}) {
		t.Fatalf("topics after all: %v, %v", tp, err)
	}

	must("sampler", tel.SetSampler(ctx, remote.TelemetrySampler{Ratio: 0.5}))
	if s, err := tel.Sampler(ctx); err != nil || s.Name != telemetry.SamplerParentBasedTraceIDRatio || s.Ratio != 0.5 {
		t.Fatalf("sampler %+v, %v", s, err)
	}
	if got := status("lab/calc/1").Sampler; got != telemetry.RatioSampler(0.5) {
		t.Fatalf("server's sampler %+v", got)
	}

	mem2 := mem + "-b"
	must("set tracing endpoints", tel.SetTracingEndpoints(ctx, []remote.TelemetryEndpoint{{Exporter: "memory", URL: mem2}}))
	must("add tracing endpoint", tel.AddTracingEndpoint(ctx, remote.TelemetryEndpoint{Exporter: "memory", URL: mem}))
	must("remove tracing endpoint", tel.RemoveTracingEndpoint(ctx, remote.TelemetryEndpoint{Exporter: "memory", URL: mem2}))
	eps, err := tel.TracingEndpoints(ctx)
	if err != nil || !slices.Equal(eps, []remote.TelemetryEndpoint{{Exporter: "memory", URL: mem}}) {
		t.Fatalf("tracing endpoints %v, %v", eps, err)
	}
	must("add logging endpoint", tel.AddLoggingEndpoint(ctx, remote.TelemetryEndpoint{Exporter: "memory", URL: mem}))
	if eps, err := tel.LoggingEndpoints(ctx); err != nil || !slices.Contains(eps, remote.TelemetryEndpoint{Exporter: "memory", URL: mem}) {
		t.Fatalf("logging endpoints after add: %v, %v", eps, err)
	}
	must("remove logging endpoint", tel.RemoveLoggingEndpoint(ctx, remote.TelemetryEndpoint{Exporter: "memory", URL: mem}))
	must("set logging endpoints", tel.SetLoggingEndpoints(ctx, nil))
	if got := status("lab/calc/1"); !slices.Equal(got.Topics, []string{"user", "kernel"}) {
		t.Fatalf("server's topics %v", got.Topics)
	}

	// Persist stores the change as the device's property.
	must("persisted topics", p.Device("lab/calc/2").Telemetry().SetTopics(ctx, []string{"kernel"}, remote.Persist()))
	props, err := store.Get(ctx, "lab/calc/2")
	if err != nil || !slices.Equal(props[telemetry.PropTopics], []string{"kernel"}) {
		t.Fatalf("stored properties %v, %v", props, err)
	}

	// Refusals say what and why.
	err = tel.SetTopics(ctx, []string{"user", "gpu"})
	var e *remote.Error
	if !errors.Is(err, remote.ErrBadArgument) || !errors.As(err, &e) || e.Device != "lab/calc/1" {
		t.Fatalf("topic gpu: %v; want bad_argument for lab/calc/1", err)
	}
	if _, err := p.Device("lab/calc/9").Telemetry().Status(ctx); !errors.Is(err, remote.ErrUnknownDevice) {
		t.Fatalf("telemetry of an unknown device: %v", err)
	}
	bad, err := remote.Dial(addr, remote.WithAdminToken("not-the-token-of-this-server"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bad.Shutdown(ctx) }()
	if err := bad.Device("lab/calc/1").Telemetry().Disable(ctx); !errors.Is(err, remote.ErrNotAuthorized) {
		t.Fatalf("disable with a wrong token: %v", err)
	}
	if !status("lab/calc/1").Enabled {
		t.Fatal("a refused change changed the device")
	}
}

// TestTelemetryPathPrefix: the proxy's telemetry routes are the admin
// API's.
func TestTelemetryPathPrefix(t *testing.T) {
	if remote.TelemetryPathPrefix != admin.PathPrefix {
		t.Fatalf("remote.TelemetryPathPrefix %q, admin.PathPrefix %q", remote.TelemetryPathPrefix, admin.PathPrefix)
	}
}
