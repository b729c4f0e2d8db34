package sightlinetest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// fakeTB is the test's own testing.TB with Errorf recorded instead of
// failing the test, so a test can check that an assertion fails.
type fakeTB struct {
	testing.TB
	errs []string
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// setup builds a component that exports to rec and shuts it down when the
// test ends.
func setup(t *testing.T, opts ...telemetry.Option) *telemetry.Component {
	t.Helper()
	comp, err := telemetry.Setup(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := comp.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return comp
}

// recordScan records this tree (spans end in the order listed):
//
//	scan (attributes of every type)
//	├── move  status Error "limit switch"
//	├── read  status Ok
//	└── read  status Unset
//
// and one log record inside scan.
func recordScan(t *testing.T, rec *sightlinetest.Recorder) (scan trace.SpanContext) {
	t.Helper()
	comp := setup(t, rec.Options()...)
	tr := comp.Tracer("sightlinetest")
	ctx, root := tr.Start(context.Background(), "scan", trace.WithAttributes(
		attribute.String("plan", "grid"), attribute.Int("points", 11), attribute.Float64("step", 0.5),
		attribute.Bool("fast", true), attribute.StringSlice("motors", []string{"m1", "m2"}),
		attribute.IntSlice("shape", []int{3, 4}), attribute.Float64Slice("range", []float64{0, 1.5})))
	comp.Logger().InfoContext(ctx, "scan started")
	_, move := tr.Start(ctx, "move")
	move.SetStatus(codes.Error, "limit switch")
	move.End()
	_, read := tr.Start(ctx, "read")
	read.SetStatus(codes.Ok, "")
	read.End()
	_, read2 := tr.Start(ctx, "read")
	read2.End()
	root.End()
	return root.SpanContext()
}

// assertion is one call of a Require method and what it must report.
type assertion struct {
	name   string
	assert func(*sightlinetest.Recorder)
	fail   string // "": the assertion passes; else a part of its one failure message
}

// checkAssertions runs each assertion on a recorder holding recordScan's tree.
func checkAssertions(t *testing.T, cases []assertion) {
	ft := &fakeTB{TB: t}
	rec := sightlinetest.NewRecorder(ft)
	recordScan(t, rec)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ft.errs = nil
			tc.assert(rec)
			switch {
			case tc.fail == "" && len(ft.errs) > 0:
				t.Errorf("unexpected failure: %q", ft.errs)
			case tc.fail != "" && len(ft.errs) != 1:
				t.Errorf("got %d failures %q, want one containing %q", len(ft.errs), ft.errs, tc.fail)
			case tc.fail != "" && !strings.Contains(ft.errs[0], tc.fail):
				t.Errorf("failure %q does not contain %q", ft.errs[0], tc.fail)
			}
		})
	}
}

func TestRecorderReads(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	scan := recordScan(t, rec)

	if got, want := rec.SpanNames(), []string{"move", "read", "read", "scan"}; !slices.Equal(got, want) {
		t.Errorf("SpanNames() = %q, want %q", got, want)
	}
	if len(rec.Spans()) != 4 {
		t.Errorf("Spans() has %d spans, want 4", len(rec.Spans()))
	}
	if s, ok := rec.Span("read"); !ok || s.Status.Code != codes.Ok {
		t.Errorf("Span(read) = %v, %v; want the first read, status Ok", s.Status, ok)
	}
	if _, ok := rec.Span("nothing"); ok {
		t.Error("Span(nothing) found a span")
	}
	logs := rec.Logs()
	if len(logs) != 1 || logs[0].Body().AsString() != "scan started" ||
		logs[0].TraceID() != scan.TraceID() || logs[0].SpanID() != scan.SpanID() {
		t.Errorf("Logs() = %v, want the scan log with scan's trace and span ids", logs)
	}
	rec.Reset()
	if len(rec.Spans()) != 0 || len(rec.Logs()) != 0 {
		t.Errorf("after Reset: %d spans, %d logs", len(rec.Spans()), len(rec.Logs()))
	}
}

// TestRecorderOptions: the options turn telemetry on with kernel spans and
// ignore the environment; two recorders see only their own spans.
func TestRecorderOptions(t *testing.T) {
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "off")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	a, b := sightlinetest.NewRecorder(t), sightlinetest.NewRecorder(t)
	if a.Endpoint() == b.Endpoint() {
		t.Fatalf("two recorders share endpoint %s", a.Endpoint())
	}
	comp := setup(t, a.Options()...)
	_, user := comp.Tracer("user").Start(context.Background(), "user span")
	user.End()
	_, kernel := comp.Tracer("kernel", topic.Kernel.TracerOption()).Start(context.Background(), "kernel span")
	kernel.End()
	comp.Logger().Info("hello")

	a.RequireSpanNames("user span", "kernel span")
	if len(a.Logs()) != 1 {
		t.Errorf("a has %d logs, want 1", len(a.Logs()))
	}
	b.RequireNoSpans()
	if len(b.Logs()) != 0 {
		t.Errorf("b has %d logs, want none", len(b.Logs()))
	}
}

// TestRecorderEndpoint adds the recorder's endpoint to a running component.
func TestRecorderEndpoint(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	if got := rec.Endpoint().String(); !strings.HasPrefix(got, "memory sightlinetest-") {
		t.Errorf("Endpoint() = %q", got)
	}
	comp := setup(t, telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "none", "SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "none"}[k]
		return v, ok
	}))
	_, before := comp.Tracer("t").Start(context.Background(), "before")
	before.End()
	ctx := context.Background()
	if err := comp.Control().SetTracingEndpoints(ctx, []telemetry.Endpoint{rec.Endpoint()}); err != nil {
		t.Fatal(err)
	}
	if err := comp.Control().SetLoggingEndpoints(ctx, []telemetry.Endpoint{rec.Endpoint()}); err != nil {
		t.Fatal(err)
	}
	_, after := comp.Tracer("t").Start(ctx, "after")
	after.End()
	comp.Logger().Info("after")
	rec.RequireSpanNames("after")
	if len(rec.Logs()) != 1 {
		t.Errorf("%d logs, want 1", len(rec.Logs()))
	}
}

func TestRequireSpanNames(t *testing.T) {
	checkAssertions(t, []assertion{
		{"same", func(r *sightlinetest.Recorder) { r.RequireSpanNames("move", "read", "read", "scan") }, ""},
		{"any order", func(r *sightlinetest.Recorder) { r.RequireSpanNames("scan", "read", "move", "read") }, ""},
		{"missing", func(r *sightlinetest.Recorder) { r.RequireSpanNames("scan", "read", "move", "read", "park") },
			`missing ["park"], unexpected []`},
		{"unexpected", func(r *sightlinetest.Recorder) { r.RequireSpanNames("scan", "read", "read") },
			`span names = ["move" "read" "read" "scan"], want ["read" "read" "scan"] (in any order): missing [], unexpected ["move"]`},
		{"count", func(r *sightlinetest.Recorder) { r.RequireSpanNames("scan", "read", "move") },
			`unexpected ["read"]`},
		{"none", func(r *sightlinetest.Recorder) { r.RequireSpanNames() }, `unexpected ["move" "read" "read" "scan"]`},
	})
}

func TestRequireNoSpans(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	rec.RequireNoSpans()
	checkAssertions(t, []assertion{
		{"spans", func(r *sightlinetest.Recorder) { r.RequireNoSpans() }, `want no spans, got 4: ["move" "read" "read" "scan"]`},
		{"after reset", func(r *sightlinetest.Recorder) { r.Reset(); r.RequireNoSpans() }, ""},
	})
}

func TestRequireParent(t *testing.T) {
	checkAssertions(t, []assertion{
		{"child", func(r *sightlinetest.Recorder) { r.RequireParent("move", "scan") }, ""},
		{"root", func(r *sightlinetest.Recorder) { r.RequireParent("scan", "move") }, `span "scan" has no parent, want parent "move"`},
		{"sibling", func(r *sightlinetest.Recorder) { r.RequireParent("read", "move") }, `span "read" has parent span id `},
		{"no child", func(r *sightlinetest.Recorder) { r.RequireParent("park", "scan") }, `no span named "park"; recorded spans: ["move" "read" "read" "scan"]`},
		{"no parent", func(r *sightlinetest.Recorder) { r.RequireParent("move", "plan") }, `no span named "plan"`},
	})
}

func TestRequireAttribute(t *testing.T) {
	checkAssertions(t, []assertion{
		{"string", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "plan", "grid") }, ""},
		{"int", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", 11) }, ""},
		{"int64", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", int64(11)) }, ""},
		{"uint8", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", uint8(11)) }, ""},
		{"float64", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "step", 0.5) }, ""},
		{"float32", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "step", float32(0.5)) }, ""},
		{"bool", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "fast", true) }, ""},
		{"strings", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "motors", []string{"m1", "m2"}) }, ""},
		{"ints", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "shape", []int{3, 4}) }, ""},
		{"int64s", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "shape", []int64{3, 4}) }, ""},
		{"floats", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "range", []float64{0, 1.5}) }, ""},
		{"value", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", attribute.IntValue(11)) }, ""},
		{"wrong value", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", 12) },
			`span "scan": attribute "points" = 11 (INT64), want 12 (int)`},
		{"wrong type", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "points", "11") },
			`attribute "points" = 11 (INT64), want "11" (string)`},
		{"wrong slice", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "motors", []string{"m2", "m1"}) },
			`attribute "motors" = []string{"m1", "m2"} (STRINGSLICE)`},
		{"no key", func(r *sightlinetest.Recorder) { r.RequireAttribute("scan", "speed", 1) },
			`span "scan" has no attribute "speed"; it has ["fast" "motors" "plan" "points" "range" "shape" "step"]`},
		{"no span", func(r *sightlinetest.Recorder) { r.RequireAttribute("park", "plan", "grid") }, `no span named "park"`},
	})
}

func TestRequireStatus(t *testing.T) {
	checkAssertions(t, []assertion{
		{"error", func(r *sightlinetest.Recorder) { r.RequireStatus("move", codes.Error) }, ""},
		{"ok", func(r *sightlinetest.Recorder) { r.RequireStatus("read", codes.Ok) }, ""},
		{"unset", func(r *sightlinetest.Recorder) { r.RequireStatus("scan", codes.Unset) }, ""},
		{"wrong", func(r *sightlinetest.Recorder) { r.RequireStatus("move", codes.Ok) }, `span "move": status Error "limit switch", want Ok`},
		{"no span", func(r *sightlinetest.Recorder) { r.RequireStatus("park", codes.Ok) }, `no span named "park"`},
	})
}
