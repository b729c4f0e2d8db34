package telemetry_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// TestSpanRecorder: a pipeline records with sightline's own span exactly
// when every endpoint has sightline's OTLP exporter (http, protobuf or
// JSON; grpc; an OTLP-JSON file) and a batch processor and no
// ProviderFactory is set; Status says which.
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
		{"the SDK's exporters, an OTLP-JSON file", []string{"SIGHTLINE_TELEMETRY_OTLP_EXPORTER", "sdk", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", t.TempDir() + "/spans.jsonl"}, nil, telemetry.RecorderSDK},
		{"OTLP-JSON", []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}, nil, telemetry.RecorderSightline},
		{"http and an OTLP-JSON file", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http,file",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint() + "," + t.TempDir() + "/spans.jsonl"}, nil, telemetry.RecorderSightline},
		{"a console-JSON file", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", telemetry.FileConsolePrefix + t.TempDir() + "/spans.jsonl"}, nil, telemetry.RecorderSDK},
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

// TestRecorderFollowsEndpoints: adding a console-JSON file endpoint at runtime
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
	file, err := telemetry.ParseEndpoint(telemetry.SignalTraces, telemetry.ExporterFile, telemetry.FileConsolePrefix+t.TempDir()+"/spans.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Tracer("sightline/lean")
	_, lean := tr.Start(ctx, "started lean")
	if err := ctl.AddTracingEndpoint(ctx, file); err != nil {
		t.Fatal(err)
	}
	if got := recorder(); got != telemetry.RecorderSDK {
		t.Fatalf("with a console-JSON file endpoint the recorder is %q", got)
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

// TestLeanPathConcurrent: goroutines start and end lean spans (each with
// a gated-off kernel child) while another flushes and switches the
// pipeline between the lean and the SDK recorder, adding and removing a
// console-JSON file endpoint every 100 spans. Every span reaches the receiver at most
// once, and every one that does not is counted dropped (the queue bound
// is the only way to lose one); none is lost or failed.
func TestLeanPathConcurrent(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	ctx := context.Background()
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rcv.HTTPEndpoint()))
	if err != nil {
		t.Fatal(err)
	}
	file, err := telemetry.ParseEndpoint(telemetry.SignalTraces, telemetry.ExporterFile, telemetry.FileConsolePrefix+t.TempDir()+"/spans.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 1500
	user := c.Tracer("sightline/lean-stress")
	kernel := c.Tracer("sightline/lean-stress-kernel", topic.Kernel.TracerOption())
	progress := make(chan struct{}, workers)
	var switches sync.WaitGroup
	switches.Go(func() {
		i := 0
		for range progress {
			if err := c.ForceFlush(ctx); err != nil {
				t.Error(err)
			}
			change := c.Control().AddTracingEndpoint
			if i%2 == 1 {
				change = c.Control().RemoveTracingEndpoint
			}
			if err := change(ctx, file); err != nil {
				t.Error(err)
			}
			i++
		}
	})
	var work sync.WaitGroup
	for w := range workers {
		work.Go(func() {
			for i := range each {
				sctx, s := user.Start(ctx, fmt.Sprintf("w%d-%d", w, i))
				_, k := kernel.Start(sctx, "off")
				k.End()
				s.End()
				if i%100 == 99 {
					progress <- struct{}{}
				}
			}
		})
	}
	work.Wait()
	close(progress)
	switches.Wait()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	const total = workers * each
	st := c.Control().Status().Spans
	if st.Started != total || st.Ended != total || st.Lost != 0 || st.Failed != 0 {
		t.Fatalf("counters %+v, want %d started and ended, nothing lost or failed", st, total)
	}
	want := total - int(st.Dropped)
	seen := map[string]int{}
	for _, s := range rcv.WaitForSpans(want, 10*time.Second) {
		seen[s.Name()]++
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", name, n)
		}
	}
	if len(seen) != want {
		t.Errorf("%d distinct spans arrived; %d were dropped (counted), so want %d", len(seen), st.Dropped, want)
	}
	if int(st.Exported) < want { // the file endpoint's count too while it was configured
		t.Errorf("%d exported, fewer than the %d that arrived", st.Exported, want)
	}
}
