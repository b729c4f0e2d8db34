package traceql

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: no input panics; every error is an *Error pointing into the
// query; every accepted query prints to TraceQL that parses back to the same
// AST and prints the same again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"{}", "{ .a = 1 } && { .b = 2 } || { .c = 3 }", "{ .a = 1 || .b = 2 && .c = 3 }",
		"{ .a = 1 } >> { .b = 1 } > { .c = 1 }", `{ resource.service.name =~ "a.*" && duration > 1.5s }`,
		`{ span:status = error && kind != server && trace:rootService = "x" }`,
		`{ ."a b" != nil && span."c\"d" = -1.5e3 && .e = ` + "`raw`" + ` }`,
		"{ !(.a = 1 || status = ok) } && ({} >> { .d < 1d })", "{ .a = 1 } | count() > 2",
		"{ .a =~ \"(\" }", "(((({}))))", "{ true && false }", "{ .a = 1 } ~ {}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, err := Parse(q)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error %T, want *Error", q, err)
			}
			if perr.Offset < 0 || perr.Offset > len(q) {
				t.Fatalf("Parse(%q) error offset %d outside the query", q, perr.Offset)
			}
			return
		}
		printed := e.String()
		if len(printed) > MaxQueryBytes {
			return // printing added spaces beyond the length limit
		}
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", q, printed, err)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("Parse(%q) printed %q, which parses to %s, not %s", q, printed, tree(again), tree(e))
		}
		if again.String() != printed {
			t.Fatalf("printing is not stable: %q then %q", printed, again.String())
		}
	})
}
