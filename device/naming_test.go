package device_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/device"
)

type described struct{ motor }

func (described) String() string { return "SynAxis(prefix='', name='motor1')" }

// TestOphydNaming: under NamingBluesky a Status span is "Ophyd Status" with
// Ophyd's object_repr, kwargs, positioner_name and positioner besides
// sightline's attributes (shape of Bluesky's docs/otel-tracing.rst, commit
// 476aec0f, checked key for key by plan.TestBlueskyDocsExample).
func TestOphydNaming(t *testing.T) {
	tr, exp, _ := tracing(t)
	ctx := device.ContextWithNaming(context.Background(), device.NamingBluesky)
	device.NewStatus(ctx, moveOpts(tr)...).Cancel("test")
	device.Finished(ctx, nil, device.WithType(device.TypeDeviceStatus), device.WithDevice(motor{}), device.WithTracer(tr))
	device.Finished(ctx, nil, device.WithType(device.TypeMoveStatus), device.WithDevice(described{}), device.WithTracer(tr))
	device.Finished(ctx, nil, device.WithTracer(tr))
	device.Finished(context.Background(), nil, device.WithDevice(motor{}), device.WithTracer(tr))

	spans := exp.GetSpans()
	if len(spans) != 5 {
		t.Fatalf("%d spans", len(spans))
	}
	for i, want := range []map[string]string{
		{"object_repr": "MoveStatus(done=False, pos=motor1, elapsed=0.0, success=False, settle_time=0.1)",
			"kwargs": `{"settle_time": 0.1, "timeout": 10.0}`, "positioner_name": "motor1",
			"positioner": "TestMotor(name='motor1')", "device_name": "motor1", "unit": "mm"},
		{"object_repr": "DeviceStatus(device=motor1, done=False, success=False)", "kwargs": "{}", "positioner": ""},
		{"object_repr": "MoveStatus(done=False, pos=motor1, elapsed=0.0, success=False, settle_time=0.0)",
			"positioner": "SynAxis(prefix='', name='motor1')"},
		{"object_repr": "Status(done=False, success=False)", "kwargs": "{}"},
	} {
		s := spans[i]
		if s.Name != device.OphydStatusSpanName {
			t.Errorf("span %d: name %q, want %q", i, s.Name, device.OphydStatusSpanName)
		}
		got := attrsOf(s)
		for k, v := range want {
			if g := got[k].AsString(); g != v {
				t.Errorf("span %d: %s = %q, want %q", i, k, g, v)
			}
		}
	}
	if s := spans[4]; s.Name != "Status motor1" || attrsOf(s)["object_repr"].AsString() != "" {
		t.Errorf("without a naming in ctx: %q %v, want sightline's name and no object_repr", s.Name, attrsOf(s))
	}
}

// TestContextNamingAndTracerProvider: the naming and the TracerProvider of
// a context compose, whichever is set first.
func TestContextNamingAndTracerProvider(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	bg := context.Background()
	a := device.ContextWithTracerProvider(device.ContextWithNaming(bg, device.NamingBluesky), tp)
	b := device.ContextWithNaming(device.ContextWithTracerProvider(bg, tp), device.NamingBluesky)
	device.Finished(a, nil, device.WithDevice(motor{}))
	device.Finished(b, nil, device.WithDevice(motor{}))
	spans := exp.GetSpans()
	if len(spans) != 2 || spans[0].Name != "Ophyd Status" || spans[1].Name != "Ophyd Status" {
		t.Fatalf("spans %v, want two Ophyd Status spans from the context's provider", spans)
	}
}

func TestParseNaming(t *testing.T) {
	for in, want := range map[string]device.Naming{"": device.NamingSightline, "sightline": device.NamingSightline, "bluesky": device.NamingBluesky} {
		if got, err := device.ParseNaming("X", in); got != want || err != nil {
			t.Errorf("ParseNaming(%q) = %q, %v", in, got, err)
		}
	}
	_, err := device.ParseNaming(device.NamingEnv, "ophyd")
	if want := `SIGHTLINE_PLAN_SPAN_NAMING="ophyd": want "sightline" or "bluesky"`; err == nil || err.Error() != want {
		t.Errorf("ParseNaming(ophyd) = %v, want %s", err, want)
	}
	if _, err := device.NamingFromEnv(func(string) (string, bool) { return "BLUESKY", true }); err == nil {
		t.Error("NamingFromEnv(BLUESKY) = nil error; values are case-sensitive")
	}
}

// TestNamingEnv: a Status made outside an engine follows
// SIGHTLINE_PLAN_SPAN_NAMING, read once per process (so in a child
// process here), and a context's naming wins over it.
func TestNamingEnv(t *testing.T) {
	if os.Getenv("DEVICE_NAMING_CHILD") == "1" {
		tr, exp, _ := tracing(t)
		device.Finished(context.Background(), nil, device.WithDevice(motor{}), device.WithTracer(tr))
		ctx := device.ContextWithNaming(context.Background(), device.NamingSightline)
		device.Finished(ctx, nil, device.WithDevice(motor{}), device.WithTracer(tr))
		for _, s := range exp.GetSpans() {
			os.Stdout.WriteString("span: " + s.Name + "\n")
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestNamingEnv$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DEVICE_NAMING_CHILD=1", device.NamingEnv+"=bluesky")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "span: Ophyd Status\nspan: Status motor1\n") {
		t.Errorf("child output:\n%s\nwant an Ophyd Status span (env), then Status motor1 (ctx wins)", out)
	}
}

func TestRepr(t *testing.T) {
	if got := device.Repr(described{}); got != "SynAxis(prefix='', name='motor1')" {
		t.Errorf("Repr(Stringer) = %q", got)
	}
	if got := device.Repr(motor{}); got != "TestMotor(name='motor1')" {
		t.Errorf("Repr(motor) = %q", got)
	}
	if got := device.Repr(nil); got != "" {
		t.Errorf("Repr(nil) = %q", got)
	}
}
