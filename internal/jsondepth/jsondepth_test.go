package jsondepth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// nested returns n arrays nested in one another around inner.
func nested(n int, inner string) []byte {
	return []byte(strings.Repeat("[", n) + inner + strings.Repeat("]", n))
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		limit int
		want  int // offset of the refused opener; -1 when accepted
	}{
		{"empty", "", 1, -1},
		{"scalar", `"x"`, 0, -1},
		{"flat object", `{"a":1,"b":[1,2]}`, 2, -1},
		{"object over limit 1", `{"a":1,"b":[1,2]}`, 1, 11},
		{"at the limit", string(nested(5, "1")), 5, -1},
		{"one over", string(nested(6, "1")), 5, 5},
		{"limit 0 refuses any container", `{}`, 0, 0},
		{"brackets in a string", `["[[[[{{{{"]`, 1, -1},
		{"escaped quote stays in the string", `["\"[[[["]`, 1, -1},
		{"escaped backslash ends the string", `["\\", [1]]`, 1, 7},
		{"three backslashes and a quote", `["\\\"[[", 1]`, 1, -1},
		{"unicode escapes", `["\u005b\u0022[", {}]`, 1, 18},
		{"siblings do not add up", `[[1],[2],[3],{"a":[4]}]`, 2, 18},
		{"unterminated string", `[["[[[[`, 2, -1},
		{"stray closers make no room", `]]]]` + `[[[`, 2, 6},
		{"deep after shallow", `[1][[[1]]]`, 2, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check([]byte(tt.data), tt.limit)
			if tt.want < 0 {
				if err != nil {
					t.Fatalf("Check(%q, %d) = %v, want nil", tt.data, tt.limit, err)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) || de.Limit != tt.limit || de.Offset != tt.want {
				t.Fatalf("Check(%q, %d) = %v, want *Error{Limit: %d, Offset: %d}", tt.data, tt.limit, err, tt.limit, tt.want)
			}
		})
	}
}

// TestCheckMessage: the error names the limit, the level and where it
// opens.
// TestCount: Count opens the containers outside strings, stops at the
// refused one, and agrees with Check.
func TestCount(t *testing.T) {
	for _, tt := range []struct {
		data  string
		limit int
		want  int
		deep  bool
	}{
		{`{}`, 5, 1, false},
		{`{"a":[1,{"b":"[{"}],"c":{}}`, 5, 4, false},
		{`"[[[{"`, 5, 0, false},
		{`[[[[`, 2, 3, true},
		{`{"s":"\"{"}`, 5, 1, false},
	} {
		n, err := Count([]byte(tt.data), tt.limit)
		if n != tt.want || (err != nil) != tt.deep || (Check([]byte(tt.data), tt.limit) != nil) != tt.deep {
			t.Errorf("Count(%s, %d) = %d, %v; want %d, deep %v", tt.data, tt.limit, n, err, tt.want, tt.deep)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	err := Check(nested(1_000_000, `"x"`), OTLP)
	want := "JSON nests deeper than the limit of 160 levels (level 161 opens at byte 160)"
	if err == nil || err.Error() != want {
		t.Fatalf("Check = %v, want %q", err, want)
	}
}

// TestCheckAllocations: a check that accepts allocates nothing; one that
// refuses allocates its error only.
func TestCheckAllocations(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want float64
	}{
		{"wide, accepted", []byte(`[` + strings.Repeat(`{"k":"v\\\""},`, 10_000) + `1]`), 0},
		{"deep, refused", nested(100_000, `"a\"b"`), 1},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(10, func() { _ = Check(tt.data, OTLP) }); n != tt.want {
			t.Errorf("%s: %v allocations per run, want %v", tt.name, n, tt.want)
		}
	}
}

// reference is Check written the obvious way, a byte at a time, for the
// fuzz target to compare with.
func reference(data []byte, limit int) int {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > limit {
				return i
			}
		case c == '}' || c == ']':
			depth = max(depth-1, 0)
		}
	}
	return -1
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"\"[["}]}`, `["\\\\\"", [[[]]]]`, `]]]][[[[`, `"unterminated [[[`, string(nested(40, "1"))} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		want := reference(data, int(limit))
		err := Check(data, int(limit))
		var de *Error
		switch {
		case want < 0 && err != nil:
			t.Fatalf("Check(%q, %d) = %v, the reference accepts it", data, limit, err)
		case want >= 0 && (!errors.As(err, &de) || de.Offset != want):
			t.Fatalf("Check(%q, %d) = %v, the reference refuses at byte %d", data, limit, err, want)
		}
	})
}

// BenchmarkCheck measures the pre-scan over bodies of 16 MiB: nested
// arrays (refused early, at the limit) and a realistic wide document
// (read to the end).
func BenchmarkCheck(b *testing.B) {
	var wide bytes.Buffer
	wide.WriteString(`{"resourceSpans":[`)
	for wide.Len() < 16<<20 {
		wide.WriteString(`{"scopeSpans":[{"spans":[{"name":"op \"quoted\"","attributes":[{"key":"k","value":{"stringValue":"` + strings.Repeat("v", 200) + `"}}]}]}]},`)
	}
	wide.WriteString(`{}]}`)
	for _, bc := range []struct {
		name string
		data []byte
	}{
		{"deep", nested(8<<20, "1")},
		{"wide", wide.Bytes()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.data)))
			for b.Loop() {
				_ = Check(bc.data, OTLP)
			}
		})
	}
}
