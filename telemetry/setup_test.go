package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry"
)

// Setup's contract: an error only when no usable component exists;
// configuration problems in Status and the diagnostics log; process-wide
// state only with WithGlobal.

func TestSetupProblemsAndStrict(t *testing.T) {
	var diag bytes.Buffer
	telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&diag, nil)))
	t.Cleanup(func() { telemetry.SetDiagnostics(nil) })
	bad := env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TOPICS", "everything",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory")
	c, err := telemetry.Setup(context.Background(), bad)
	if err != nil || c == nil {
		t.Fatalf("Setup = %v, %v; want a usable component and no error", c, err)
	}
	defer c.Shutdown(context.Background())
	if c.Control().Topics() != (telemetry.Topics{User: true}) || !c.Control().Enabled() {
		t.Errorf("bad topics did not fall back alone: topics %v enabled %v", c.Control().Topics(), c.Control().Enabled())
	}
	// The problem is in Status (and its JSON), naming the variable, the
	// value, what is allowed and what is used instead ...
	want := telemetry.Problem{Setting: "SIGHTLINE_TELEMETRY_TOPICS", Value: "everything",
		Reason: `unknown topic "everything"`, Allowed: "user, kernel, all, none", Using: "the default user"}
	st := c.Control().Status()
	if len(st.Problems) != 1 || st.Problems[0] != want {
		t.Errorf("Status().Problems = %+v, want [%+v]", st.Problems, want)
	}
	js, _ := json.Marshal(st)
	if !strings.Contains(string(js), `"problems":[{"setting":"SIGHTLINE_TELEMETRY_TOPICS","value":"everything"`) {
		t.Errorf("Status JSON lacks the problem: %s", js)
	}
	// ... and logged once.
	if n := strings.Count(diag.String(), "SIGHTLINE_TELEMETRY_TOPICS"); n != 1 {
		t.Errorf("diagnostics mention the problem %d times, want once:\n%s", n, diag.String())
	}

	c2, err := telemetry.Setup(context.Background(), bad, telemetry.WithStrict())
	var ce *telemetry.ConfigError
	if c2 != nil || !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0] != want {
		t.Fatalf("strict Setup = %v, %v; want nil and a ConfigError with the problem", c2, err)
	}

	// A good configuration has no problems, and an empty list in JSON.
	good, _ := setup(t)
	if js, _ := json.Marshal(good.Control().Status()); !strings.Contains(string(js), `"problems":[]`) {
		t.Errorf("Status JSON of a good component: %s", js)
	}
}

// TestSetupTouchesNoGlobals: without WithGlobal, Setup leaves the global
// providers, propagator and error handler as they were, so a second
// component never changes what the first (or the program) installed.
func TestSetupTouchesNoGlobals(t *testing.T) {
	restore := saveGlobals(t)
	defer restore()
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	prop := propagation.Baggage{}
	handler := otel.ErrorHandlerFunc(func(error) {})
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(prop)
	otel.SetErrorHandler(handler)

	c, _ := setup(t, env("OTEL_PROPAGATORS", "b3"))
	if otel.GetTracerProvider() != tp {
		t.Error("Setup replaced the global TracerProvider")
	}
	if got := otel.GetTextMapPropagator(); got != prop {
		t.Errorf("Setup replaced the global propagator with %T", got)
	}
	if fields := c.Propagator().Fields(); !slices.Contains(fields, "b3") {
		t.Errorf("Component.Propagator fields %v, want b3's", fields)
	}
	// The error handler is still the program's: an error reaches it, not
	// sightline's diagnostics.
	var diag bytes.Buffer
	telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&diag, nil)))
	defer telemetry.SetDiagnostics(nil)
	otel.Handle(errors.New("probe error"))
	if strings.Contains(diag.String(), "probe error") {
		t.Error("Setup installed sightline's error handler")
	}
}

// TestWithGlobalInstallsGlobals: WithGlobal installs the providers, the
// propagator of OTEL_PROPAGATORS and sightline's error handler.
func TestWithGlobalInstallsGlobals(t *testing.T) {
	restore := saveGlobals(t)
	defer restore()
	c, _ := setup(t, env("OTEL_PROPAGATORS", "baggage"), telemetry.WithGlobal())
	if otel.GetTracerProvider() != c.TracerProvider() {
		t.Error("global TracerProvider is not the component's")
	}
	if got := otel.GetTextMapPropagator().Fields(); len(got) != 1 || got[0] != "baggage" {
		t.Errorf("global propagator fields %v, want [baggage]", got)
	}
	var diag bytes.Buffer
	telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&diag, nil)))
	defer telemetry.SetDiagnostics(nil)
	otel.Handle(errors.New("probe error"))
	if !strings.Contains(diag.String(), "probe error") {
		t.Errorf("the global error handler does not reach the diagnostics log: %q", diag.String())
	}
}

// saveGlobals returns a function that puts the OpenTelemetry globals back.
func saveGlobals(t *testing.T) func() {
	t.Helper()
	tp, prop, h := otel.GetTracerProvider(), otel.GetTextMapPropagator(), otel.GetErrorHandler()
	return func() {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(prop)
		otel.SetErrorHandler(h)
	}
}
