package importer

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestNaNFilter(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": NaN}`, `{"a": "NaN"}`},
		{`[NaN, Infinity, -Infinity]`, `["NaN", "Infinity", "-Infinity"]`},
		{`[-1, -0.5e-3, 1e-5, -Infinity]`, `[-1, -0.5e-3, 1e-5, "-Infinity"]`},
		{`{"NaN": "Infinity -Infinity NaN"}`, `{"NaN": "Infinity -Infinity NaN"}`},
		{`{"s": "a \" NaN \\", "t": NaN}`, `{"s": "a \" NaN \\", "t": "NaN"}`},
		{`{"s": "\\\\", "t": Infinity}`, `{"s": "\\\\", "t": "Infinity"}`},
		{`{"s": "\\\"NaN"}`, `{"s": "\\\"NaN"}`},
		{"[NaN,\nInfinity\n]", "[\"NaN\",\n\"Infinity\"\n]"},
		{`[Na, Inf, -In]`, `[Na, Inf, -In]`},
		{`[NaNa]`, `["NaN"a]`},
		{`[-NaN]`, `[-"NaN"]`},
		{`[N"x"]`, `[N"x"]`},
		{`[Infinit`, `[Infinit`},
		{`-`, `-`},
		{``, ``},
		{`NaN`, `"NaN"`},
		{"{\"s\": \"cut\n[NaN]", "{\"s\": \"cut\n[\"NaN\"]"},
		{"{\"s\": \"cut\\\n[NaN]", "{\"s\": \"cut\\\n[\"NaN\"]"},
		{`{"a": -Infinity}` + "\n" + `{"b": "N"}`, `{"a": "-Infinity"}` + "\n" + `{"b": "N"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			for name, r := range map[string]io.Reader{
				"whole":      strings.NewReader(tt.in),
				"onebyte":    iotest.OneByteReader(strings.NewReader(tt.in)),
				"halfreader": iotest.HalfReader(strings.NewReader(tt.in)),
				"dataerr":    iotest.DataErrReader(strings.NewReader(tt.in)),
			} {
				got, err := io.ReadAll(newNaNFilter(r))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if string(got) != tt.want {
					t.Errorf("%s: got %s, want %s", name, got, tt.want)
				}
			}
		})
	}
}

// TestNaNFilterSmallReads reads the filter's output in small pieces too.
func TestNaNFilterSmallReads(t *testing.T) {
	in := strings.Repeat(`{"v": [NaN, -Infinity, "NaN\"", Infinity]}`+"\n", 100)
	want := strings.Repeat(`{"v": ["NaN", "-Infinity", "NaN\"", "Infinity"]}`+"\n", 100)
	got, err := io.ReadAll(iotest.OneByteReader(newNaNFilter(iotest.OneByteReader(strings.NewReader(in)))))
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestNaNFilterReadError passes a read error on once the data before it is
// read.
func TestNaNFilterReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("[NaN, Inf"), iotest.ErrReader(iotest.ErrTimeout))
	got, err := io.ReadAll(newNaNFilter(r))
	if err != iotest.ErrTimeout || string(got) != `["NaN", Inf` {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestImportOneByteAtATime imports every console fixture through a reader
// that returns one byte per call, so that every token, escape and record
// is split across reads, and checks the result is the same.
func TestImportOneByteAtATime(t *testing.T) {
	for _, name := range []string{"bluesky_run.json", "ray_spans.jsonl", "console_logs.json", "mixed.json", "otlp_traces.jsonl"} {
		t.Run(name, func(t *testing.T) {
			wantRep, wantSink := importFile(t, name)
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sink := &fakeSink{}
			rep, err := Import(t.Context(), iotest.OneByteReader(f), name, sink)
			if err != nil {
				t.Fatal(err)
			}
			if !equalReports(rep, wantRep) {
				t.Errorf("report\n%+v\nwant\n%+v", rep, wantRep)
			}
			got, want := sink.spans(), wantSink.spans()
			if len(got) != len(want) {
				t.Fatalf("%d spans, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].Name() != want[i].Name() || got[i].Attributes().Len() != want[i].Attributes().Len() {
					t.Errorf("span %d: %q, want %q", i, got[i].Name(), want[i].Name())
				}
			}
			if len(sink.logRecords()) != len(wantSink.logRecords()) {
				t.Errorf("%d logs, want %d", len(sink.logRecords()), len(wantSink.logRecords()))
			}
		})
	}
	// The NaN of bluesky_run.json, read one byte at a time.
	f, _ := os.Open(filepath.Join("testdata", "bluesky_run.json"))
	defer f.Close()
	sink := &fakeSink{}
	if _, err := Import(t.Context(), iotest.OneByteReader(f), "b", sink); err != nil {
		t.Fatal(err)
	}
	v, _ := sink.spans()[2].Attributes().Get("det.value")
	if v.Type() != pcommon.ValueTypeDouble || !math.IsNaN(v.Double()) {
		t.Errorf("det.value = %v", v.AsRaw())
	}
}

func equalReports(a, b Report) bool {
	return reflect.DeepEqual(a, b)
}

// TestNonFiniteValues checks what the bare tokens and their string forms
// become, in attributes, arrays and log bodies.
func TestNonFiniteValues(t *testing.T) {
	rec := `{"name": "s", "context": {"trace_id": "0x0102030405060708090a0b0c0d0e0f10", "span_id": "0x0102030405060708"}, ` +
		`"attributes": {"a": NaN, "b": Infinity, "c": -Infinity, "d": "NaN", "e": [1.5, NaN, -Infinity], "f": "nan", "g": "text with NaN", "h": -1}}`
	_, sink := importString(t, rec)
	sp := sink.spans()[0]
	checkMap(t, "attributes", sp.Attributes(), []string{"a", "b", "c", "d", "e", "f", "g", "h"}, map[string]any{
		"a": math.NaN(), "b": math.Inf(1), "c": math.Inf(-1), "d": math.NaN(),
		"e": []any{1.5, math.NaN(), math.Inf(-1)}, "f": "nan", "g": "text with NaN", "h": int64(-1),
	})
}
