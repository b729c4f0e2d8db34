package importer

import (
	"strings"
	"testing"
)

// consoleDeep is a console span whose attribute nests n arrays: the record
// nests 2+n levels.
func consoleDeep(n int) string {
	return strings.Replace(spanJSON("deep"), `"attributes": {}`, `"attributes": {"deep": `+strings.Repeat("[", n)+"1"+strings.Repeat("]", n)+`}`, 1)
}

// otlpDeep is an OTLP-JSON trace request whose span has an unknown member
// of n nested arrays: the record nests 7+n levels.
func otlpDeep(n int) string {
	return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"deep","x":` +
		strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}]}]}`
}

// TestDepthLimit: records that nest deeper than MaxDepth are rejected,
// naming the limit, before anything decodes them, and the records around
// them are imported; those at the limit are imported.
func TestDepthLimit(t *testing.T) {
	tooDeep := "record nests deeper than the limit of 160 levels of objects and arrays (level 161 opens at byte "
	tests := []struct {
		name     string
		format   Format
		lines    []string
		imported int
		reasons  map[int]string // line -> start of the rejection reason
	}{
		{"console at the limit", FormatConsole, []string{consoleDeep(MaxDepth - 2)}, 1, nil},
		{"console one over", FormatConsole, []string{spanJSON("a"), consoleDeep(MaxDepth - 1), spanJSON("b")}, 2, map[int]string{2: tooDeep}},
		{"otlp at the limit", FormatOTLP, []string{otlpDeep(MaxDepth - 7)}, 1, nil},
		{"otlp one over", FormatOTLP, []string{otlpDeep(MaxDepth - 6), otlpDeep(1)}, 1, map[int]string{1: tooDeep}},
		{"otlp a million levels", FormatOTLP, []string{otlpDeep(1), otlpDeep(1_000_000), otlpDeep(2)}, 2,
			map[int]string{2: "record nests deeper than 10000 levels of objects and arrays at line 2; the limit is 160"}},
		{"console a million levels", FormatConsole, []string{consoleDeep(1_000_000), spanJSON("b")}, 1,
			map[int]string{1: "record nests deeper than 10000 levels of objects and arrays at line 1; the limit is 160"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{}
			rep, err := Import(t.Context(), strings.NewReader(strings.Join(tt.lines, "\n")+"\n"), "deep.json", sink, WithFormat(tt.format))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if got := len(sink.spans()); got != tt.imported || rep.SpansImported != tt.imported {
				t.Errorf("%d spans imported (report %d), want %d; rejections %+v", got, rep.SpansImported, tt.imported, rep.Rejected)
			}
			if len(rep.Rejected) != len(tt.reasons) {
				t.Fatalf("rejections %+v, want %d", rep.Rejected, len(tt.reasons))
			}
			for _, r := range rep.Rejected {
				if want, ok := tt.reasons[r.Line]; !ok || !strings.HasPrefix(r.Reason, want) {
					t.Errorf("rejection %+v, want line %d to start with %q", r, r.Line, tt.reasons[r.Line])
				}
			}
		})
	}
}

// TestTooDeepAllocatesNothing: the check before every record allocates
// nothing for a record within the limit.
func TestTooDeepAllocatesNothing(t *testing.T) {
	raw := []byte(consoleDeep(100))
	if n := testing.AllocsPerRun(100, func() { _ = tooDeep(raw) }); n != 0 {
		t.Errorf("tooDeep allocated %v times per record", n)
	}
}
