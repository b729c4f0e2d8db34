package telemetry_test

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestSpanRecorder: a pipeline records with sightline's own span exactly
// when every endpoint is an http (protobuf) or grpc endpoint with
// sightline's exporter and a batch processor and no ProviderFactory is
// set; Status says which.
func TestSpanRecorder(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	factory := telemetry.WithProviderFactory(func(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
		return sdktrace.NewTracerProvider(opts...)
	})
	for _, tc := range []struct {
		name string
		env  []string
		opt  telemetry.Option
		want string
	}{
		{"http", nil, nil, telemetry.RecorderSightline},
		{"grpc", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.GRPCEndpoint()}, nil, telemetry.RecorderSightline},
		{"http and grpc", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http,grpc",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint() + "," + rcv.GRPCEndpoint()}, nil, telemetry.RecorderSightline},
		{"http and console", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http,console",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint() + ",stderr"}, nil, telemetry.RecorderSDK},
		{"the SDK's exporters", []string{"SIGHTLINE_TELEMETRY_OTLP_EXPORTER", "sdk"}, nil, telemetry.RecorderSDK},
		{"OTLP-JSON", []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}, nil, telemetry.RecorderSDK},
		{"simple processor", []string{"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple"}, nil, telemetry.RecorderSDK},
		{"provider factory", nil, factory, telemetry.RecorderSDK},
		{"no traces pipeline", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "none"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := append([]string{"SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
				"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint()}, tc.env...)
			c, err := telemetry.Setup(context.Background(), env(kv...), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Shutdown(context.Background()) }()
			if got := c.Control().Status().Spans.Recorder; got != tc.want {
				t.Errorf("recorder %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRecorderFollowsEndpoints: adding a file endpoint at runtime
// moves new spans to the SDK's recorder and removing it moves them back;
// spans started under one recorder and ended under the other reach the
// receiver, counted once each.
func TestRecorderFollowsEndpoints(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	ctx := context.Background()
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint()))
	if err != nil {
		t.Fatal(err)
	}
	ctl := c.Control()
	recorder := func() string { return ctl.Status().Spans.Recorder }
	file, err := telemetry.ParseEndpoint(telemetry.SignalTraces, telemetry.ExporterFile, t.TempDir()+"/spans.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Tracer("sightline/lean")
	_, lean := tr.Start(ctx, "started lean")
	if err := ctl.AddTracingEndpoint(ctx, file); err != nil {
		t.Fatal(err)
	}
	if got := recorder(); got != telemetry.RecorderSDK {
		t.Fatalf("with a file endpoint the recorder is %q", got)
	}
	_, sdk := tr.Start(ctx, "started sdk")
	lean.End()
	if err := ctl.RemoveTracingEndpoint(ctx, file); err != nil {
		t.Fatal(err)
	}
	if got := recorder(); got != telemetry.RecorderSightline {
		t.Fatalf("back to http only, the recorder is %q", got)
	}
	_, again := tr.Start(ctx, "started lean again")
	sdk.End()
	again.End()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, s := range rcv.RequireSpans(3, 10*time.Second) {
		got[s.Name()]++
	}
	for _, name := range []string{"started lean", "started sdk", "started lean again"} {
		if got[name] != 1 {
			t.Errorf("%q arrived %d times, want once (all: %v)", name, got[name], got)
		}
	}
	st := ctl.Status()
	if st.Spans.Started != 3 || st.Spans.Ended != 3 || st.Spans.Exported != 4 || st.Spans.Dropped != 0 {
		// 4 exported: the http endpoint's 3 and the file's 1.
		t.Errorf("counters %+v, want 3 started and ended, 4 exported", st.Spans)
	}
}
