package importer

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestImportBlueskyRun checks a pretty-printed run (a "run" span and its
// children, as Python prints them) field by field.
func TestImportBlueskyRun(t *testing.T) {
	rep, sink := importFile(t, "bluesky_run.json")
	if rep.Format != "console" || rep.SpansRead != 5 || rep.SpansImported != 5 || rep.RejectedCount != 0 || rep.LogsRead != 0 {
		t.Fatalf("report = %+v", rep)
	}
	spans := sink.spans()
	if len(sink.traces) != 1 || sink.traces[0].ResourceSpans().Len() != 1 {
		t.Fatalf("want one batch with one resource, got %d batches", len(sink.traces))
	}
	names := []string{"open_run", "trigger", "read", "close_run", "run"}
	if len(spans) != len(names) {
		t.Fatalf("%d spans, want %d", len(spans), len(names))
	}
	tid := mustTraceID(t, "0x7c1f0e5b9a2d4c3e8f6a1b2c3d4e5f60")
	runID := mustSpanID(t, "0x1a2b3c4d5e6f7081")
	for i, sp := range spans {
		if sp.Name() != names[i] {
			t.Errorf("span %d is %q, want %q", i, sp.Name(), names[i])
		}
		if sp.TraceID() != tid {
			t.Errorf("%s: trace id %v", sp.Name(), sp.TraceID())
		}
		if sp.Kind() != ptrace.SpanKindInternal {
			t.Errorf("%s: kind %v", sp.Name(), sp.Kind())
		}
		if sp.Scope.Name() != ScopeName || sp.SchemaURL != "" {
			t.Errorf("%s: scope %q, schema %q", sp.Name(), sp.Scope.Name(), sp.SchemaURL)
		}
		checkMap(t, sp.Name()+" resource", sp.Resource.Attributes(),
			[]string{"telemetry.sdk.language", "telemetry.sdk.name", "telemetry.sdk.version", "service.name"},
			map[string]any{"telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.version": "1.27.0", "service.name": "bluesky"})
		if want := runID; i < 4 && sp.ParentSpanID() != want {
			t.Errorf("%s: parent %v, want %v", sp.Name(), sp.ParentSpanID(), want)
		}
	}

	openRun := spans[0]
	if openRun.SpanID() != mustSpanID(t, "0x2b3c4d5e6f708192") || openRun.TraceState().AsRaw() != "" {
		t.Errorf("open_run: span id %v, trace state %q", openRun.SpanID(), openRun.TraceState().AsRaw())
	}
	if openRun.StartTimestamp() != ts(t, "2024-06-11T14:03:07.518213Z") || openRun.EndTimestamp() != ts(t, "2024-06-11T14:03:07.519007Z") {
		t.Errorf("open_run: times %v %v", openRun.StartTimestamp(), openRun.EndTimestamp())
	}
	if openRun.Status().Code() != ptrace.StatusCodeUnset || openRun.Events().Len() != 0 || openRun.Links().Len() != 0 {
		t.Errorf("open_run: status %v, %d events, %d links", openRun.Status().Code(), openRun.Events().Len(), openRun.Links().Len())
	}
	checkMap(t, "open_run", openRun.Attributes(), []string{"msg.command", "msg.obj", "plan_name", "scan_id"},
		map[string]any{"msg.command": "open_run", "msg.obj": "None", "plan_name": "count", "scan_id": int64(42)})

	trigger := spans[1]
	checkMap(t, "trigger", trigger.Attributes(), []string{"msg.command", "msg.obj", "exposure_time", "group"},
		map[string]any{"msg.command": "trigger", "msg.obj": "det", "exposure_time": 0.1, "group": "trigger-3f2a"})
	if trigger.Events().Len() != 1 {
		t.Fatalf("trigger: %d events", trigger.Events().Len())
	}
	ev := trigger.Events().At(0)
	if ev.Name() != "status_done" || ev.Timestamp() != ts(t, "2024-06-11T14:03:07.621877Z") {
		t.Errorf("trigger event: %q at %v", ev.Name(), ev.Timestamp())
	}
	checkMap(t, "trigger event", ev.Attributes(), []string{"success", "elapsed"}, map[string]any{"success": true, "elapsed": 0.1025})

	read := spans[2]
	checkMap(t, "read", read.Attributes(), []string{"msg.command", "msg.obj", "det.value", "det.limits", "det.shape", "det.dtype"},
		map[string]any{
			"msg.command": "read", "msg.obj": "det", "det.value": math.NaN(),
			"det.limits": []any{math.Inf(-1), math.Inf(1)}, "det.shape": []any{}, "det.dtype": "number",
		})
	if v, _ := read.Attributes().Get("det.value"); v.Type() != pcommon.ValueTypeDouble {
		t.Errorf("read: det.value is %v, want Double", v.Type())
	}
	if got := read.TraceState().AsRaw(); got != "bluesky=run-42,beamline=8id" {
		t.Errorf("read: trace state %q", got)
	}

	closeRun := spans[3]
	if st := closeRun.Status(); st.Code() != ptrace.StatusCodeError || st.Message() != "RuntimeError: detector det timed out" {
		t.Errorf("close_run: status %v %q", st.Code(), st.Message())
	}
	if closeRun.Links().Len() != 1 {
		t.Fatalf("close_run: %d links", closeRun.Links().Len())
	}
	l := closeRun.Links().At(0)
	if l.TraceID() != mustTraceID(t, "0x0af7651916cd43dd8448eb211c80319c") || l.SpanID() != mustSpanID(t, "0xb7ad6b7169203331") || l.TraceState().AsRaw() != "" {
		t.Errorf("close_run link: %v %v %q", l.TraceID(), l.SpanID(), l.TraceState().AsRaw())
	}
	checkMap(t, "close_run link", l.Attributes(), []string{"link.kind"}, map[string]any{"link.kind": "previous_run"})

	run := spans[4]
	if run.SpanID() != runID || !run.ParentSpanID().IsEmpty() || run.Status().Code() != ptrace.StatusCodeOk {
		t.Errorf("run: id %v parent %v status %v", run.SpanID(), run.ParentSpanID(), run.Status().Code())
	}
	if run.StartTimestamp() != ts(t, "2024-06-11T14:03:07.517004Z") || run.EndTimestamp() != ts(t, "2024-06-11T14:03:07.623911Z") {
		t.Errorf("run: times %v %v", run.StartTimestamp(), run.EndTimestamp())
	}
	checkMap(t, "run", run.Attributes(),
		[]string{"plan_name", "plan_args", "num_points", "detectors", "md.sample", "md.temperature_K", "dry_run"},
		map[string]any{
			"plan_name": "count", "plan_args": "{'detectors': ['det'], 'num': 1}", "num_points": int64(1),
			"detectors": []any{"det"}, "md.sample": "Cu foil", "md.temperature_K": 293.15, "dry_run": false,
		})
}

// TestImportRaySpans checks a compact file, one span per line as Ray
// writes them, with broken lines: the good spans are imported, grouped by
// resource, and each bad line is rejected with its line number.
func TestImportRaySpans(t *testing.T) {
	rep, sink := importFile(t, "ray_spans.jsonl")
	checkRejections(t, rep,
		`3: JSON syntax error at line 3: invalid character '\n' in string literal; skipped to line 4`,
		`5: span "bad id ray.remote": context.trace_id: "0x12": want 0x and 32 hex digits`,
		`6: JSON syntax error at line 7: invalid character '{' after object key:value pair; skipped to line 7`,
		`8: span "bad time ray.remote_worker": start_time: "2024-13-01T00:00:00.000000Z" is not an ISO 8601 time`,
	)
	if rep.Format != "console" || rep.SpansRead != 7 || rep.SpansImported != 5 || rep.RejectedCount != 4 ||
		rep.SpansRejected() != 2 || rep.OtherRejected() != 2 {
		t.Errorf("report = %+v", rep)
	}
	spans := sink.spans()
	want := []struct {
		name, service string
		kind          ptrace.SpanKind
		parent        string
	}{
		{"process_batch ray.remote", "ray-driver", ptrace.SpanKindProducer, ""},
		{"load_shard ray.remote", "ray-driver", ptrace.SpanKindProducer, ""},
		{"process_batch ray.remote_worker", "ray-worker", ptrace.SpanKindConsumer, "0x1111111111111111"},
		{"load_shard ray.remote_worker", "ray-worker", ptrace.SpanKindConsumer, "0x3333333333333333"},
		{"save ray.remote_worker", "ray-worker", ptrace.SpanKindConsumer, "0x3333333333333333"},
	}
	if len(spans) != len(want) || sink.traces[0].ResourceSpans().Len() != 2 {
		t.Fatalf("%d spans in %d resources, want %d in 2", len(spans), sink.traces[0].ResourceSpans().Len(), len(want))
	}
	for i, w := range want {
		sp := spans[i]
		svc, _ := sp.Resource.Attributes().Get("service.name")
		if sp.Name() != w.name || svc.Str() != w.service || sp.Kind() != w.kind {
			t.Errorf("span %d: %q %q %v, want %q %q %v", i, sp.Name(), svc.Str(), sp.Kind(), w.name, w.service, w.kind)
		}
		if w.parent == "" && !sp.ParentSpanID().IsEmpty() || w.parent != "" && sp.ParentSpanID() != mustSpanID(t, w.parent) {
			t.Errorf("span %d: parent %v, want %q", i, sp.ParentSpanID(), w.parent)
		}
	}
	if pid, _ := spans[0].Resource.Attributes().Get("process.pid"); pid.Type() != pcommon.ValueTypeInt || pid.Int() != 4711 {
		t.Errorf("process.pid = %v", pid.AsRaw())
	}
	worker := spans[2]
	checkMap(t, "worker", worker.Attributes(), []string{"ray.remote", "ray.function", "ray.pid", "ray.worker_id", "batch.size"},
		map[string]any{"ray.remote": "function", "ray.function": "process_batch", "ray.pid": "4802", "ray.worker_id": "a1b2c3", "batch.size": int64(128)})
	if worker.StartTimestamp() != ts(t, "2024-06-12T08:00:00.01Z") || worker.EndTimestamp() != ts(t, "2024-06-12T08:00:01.25Z") {
		t.Errorf("worker times %v %v", worker.StartTimestamp(), worker.EndTimestamp())
	}
	if worker.Status().Code() != ptrace.StatusCodeOk {
		t.Errorf("worker status %v", worker.Status().Code())
	}
}

// TestImportMixed checks a file mixing pretty-printed and compact spans
// and log records, with an older trace state repr, offsets and nanosecond
// fractions.
func TestImportMixed(t *testing.T) {
	rep, sink := importFile(t, "mixed.json")
	if rep.SpansRead != 2 || rep.SpansImported != 2 || rep.LogsRead != 2 || rep.LogsImported != 2 || rep.RejectedCount != 0 {
		t.Fatalf("report = %+v", rep)
	}
	spans, logs := sink.spans(), sink.logRecords()
	if len(spans) != 2 || len(logs) != 2 {
		t.Fatalf("%d spans, %d logs", len(spans), len(logs))
	}
	// The pretty-printed and the compact record share one resource.
	if n := sink.traces[0].ResourceSpans().Len(); n != 1 {
		t.Errorf("%d ResourceSpans, want 1", n)
	}
	get := spans[0]
	if get.Name() != "GET /cart" || get.Kind() != ptrace.SpanKindServer || get.SchemaURL != "https://opentelemetry.io/schemas/1.26.0" {
		t.Errorf("span 0: %q %v %q", get.Name(), get.Kind(), get.SchemaURL)
	}
	if got := get.TraceState().AsRaw(); got != "vendor=abc,congo=t61rcWkgMzE" {
		t.Errorf("trace state %q", got)
	}
	if get.StartTimestamp() != ts(t, "2024-06-14T07:00:00.5Z") || get.EndTimestamp() != ts(t, "2024-06-14T07:00:01.123456789Z") {
		t.Errorf("times %v %v", get.StartTimestamp().AsTime(), get.EndTimestamp().AsTime())
	}
	checkMap(t, "GET /cart", get.Attributes(), []string{"http.method", "http.status_code", "big", "ratio", "whole"},
		map[string]any{"http.method": "GET", "http.status_code": int64(200), "big": 12345678901234567890.0, "ratio": 1e-07, "whole": 3.0})
	sel := spans[1]
	if sel.Kind() != ptrace.SpanKindClient || sel.ParentSpanID() != get.SpanID() || sel.Status().Code() != ptrace.StatusCodeOk {
		t.Errorf("span 1: %v parent %v status %v", sel.Kind(), sel.ParentSpanID(), sel.Status().Code())
	}
	if logs[0].TraceID() != get.TraceID() || logs[0].SpanID() != get.SpanID() || logs[0].Body().Str() != "cart loaded" {
		t.Errorf("log 0: %v %v %q", logs[0].TraceID(), logs[0].SpanID(), logs[0].Body().Str())
	}
	checkMap(t, "log 1 body", pcommonMapOf(logs[1].Body()), []string{"body"},
		map[string]any{"body": []any{"a", int64(1), 2.5, true, nil, map[string]any{"k": "v"}}})
	if !logs[1].TraceID().IsEmpty() || !logs[1].SpanID().IsEmpty() || logs[1].Flags() != 0 {
		t.Errorf("log 1 has a span context: %v %v", logs[1].TraceID(), logs[1].SpanID())
	}
}

// pcommonMapOf wraps v in a map under "body", to compare it with checkMap.
func pcommonMapOf(v pcommon.Value) pcommon.Map {
	m := pcommon.NewMap()
	v.CopyTo(m.PutEmpty("body"))
	return m
}
