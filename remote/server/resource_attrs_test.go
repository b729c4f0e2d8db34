package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestPerDeviceResourceAttributes reproduces, in Go, PyTango's "Adding
// common information to all traces" (tango-controls/pytango
// docs/how-to/telemetry.md): a device whose create_telemetry_tracer_provider
// passes extra_resource_attributes = {DEPLOYMENT_ENVIRONMENT: "production"}
// to the factory. On a server hosting two devices, each device's SERVER
// span carries its own resource: the shape of the Tango trace in
// ska-tango-base's "How to use OpenTelemetry" (span "<Class>.<command>",
// kind server; resource service.name = the class, service.instance.id =
// the device name), plus the extra attribute on that device only; the
// server-wide attributes stay on both, and the device's value of a key
// wins over the server's.
func TestPerDeviceResourceAttributes(t *testing.T) {
	ctx := context.Background()
	mem, spans := newMem(t)
	prod := server.NewDevice("lab/calc/1", "Calc",
		server.WithResourceAttributes(attribute.String("deployment.environment", "production")))
	server.Command(prod, "On", func(context.Context, server.Void) (server.Void, error) { return server.Void{}, nil })
	plain := server.NewDevice("lab/calc/2", "Calc")
	server.Command(plain, "On", func(context.Context, server.Void) (server.Void, error) { return server.Void{}, nil })
	_, addr := startServer(t, "CalcServer/resources", memEnv(mem), []server.Option{server.WithTelemetryOptions(
		telemetry.WithResourceAttributes(attribute.String("deployment.environment", "commissioning"), attribute.String("facility", "bl12")))},
		prod, plain)
	p := dial(t, addr, offEnv)
	for _, d := range []string{"lab/calc/1", "lab/calc/2"} {
		if err := p.Device(d).Command(ctx, "On", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	poll.Until(t, 10*time.Second, "two SERVER spans", func() bool { return len(spans()) == 2 })
	want := map[string]string{"lab/calc/1": "production", "lab/calc/2": "commissioning"}
	for _, s := range spans() {
		res := map[string]string{}
		for _, kv := range s.Resource.Attributes() {
			res[string(kv.Key)] = kv.Value.String()
		}
		dev := res["service.instance.id"]
		if s.Name != "Calc.On" || s.SpanKind != trace.SpanKindServer || res["service.name"] != "Calc" {
			t.Errorf("span %q kind %v service.name %q; want Calc.On, server, Calc", s.Name, s.SpanKind, res["service.name"])
		}
		if res["deployment.environment"] != want[dev] || res["facility"] != "bl12" {
			t.Errorf("device %q: deployment.environment %q facility %q; want %q and bl12", dev, res["deployment.environment"], res["facility"], want[dev])
		}
	}

	// A bad attribute is a declaration mistake Add reports.
	bad := server.NewDevice("lab/calc/3", "Calc", server.WithResourceAttributes(attribute.String("", "x")))
	srv, err := server.New(ctx, "CalcServer/badres", server.WithEnv(envOf(offEnv)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	if err := srv.Add(ctx, bad); err == nil || !strings.Contains(err.Error(), "resource attribute") || !strings.Contains(err.Error(), "lab/calc/3") {
		t.Fatalf("Add with an empty attribute key: %v", err)
	}
}
