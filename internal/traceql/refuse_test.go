package traceql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRefused(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		kind   error
		msg    string
	}{
		// pipelines, aggregates and other pipeline stages
		{`{ .a = 1 } | count() > 2`, 11, ErrUnsupported, "pipelines and aggregates are not supported (supported: spanset filters"},
		{`{ .a = 1 } | avg(duration) > 1s`, 11, ErrUnsupported, "pipelines"},
		{`count() > 2`, 0, ErrUnsupported, "pipelines and aggregates are not supported"},
		{`max(duration) > 1s`, 0, ErrUnsupported, "pipelines and aggregates"},
		{`min(duration) > 1s`, 0, ErrUnsupported, "pipelines and aggregates"},
		{`sum(duration) > 1s`, 0, ErrUnsupported, "pipelines and aggregates"},
		{`avg(duration) > 1s`, 0, ErrUnsupported, "pipelines and aggregates"},
		{`select(.a)`, 0, ErrUnsupported, "select() pipelines"},
		{`by(.a)`, 0, ErrUnsupported, "by() grouping"},
		{`coalesce()`, 0, ErrUnsupported, "coalesce()"},
		{`{} | rate()`, 3, ErrUnsupported, "pipelines"},
		{`rate()`, 0, ErrUnsupported, "metrics functions"},
		{`{} with (sample=true)`, 3, ErrUnsupported, "query hints"},
		// structural operators we refuse
		{`{ .a = 1 } ~ { .b = 1 }`, 11, ErrUnsupported, "sibling operator ~"},
		{`{ .a = 1 } < { .b = 1 }`, 11, ErrUnsupported, "parent/ancestor operator <"},
		{`{ .a = 1 } << { .b = 1 }`, 11, ErrUnsupported, "parent/ancestor operator <<"},
		{`{} !> {}`, 3, ErrUnsupported, "structural operator !>"},
		{`{} !>> {}`, 3, ErrUnsupported, "structural operator !>>"},
		{`{} !< {}`, 3, ErrUnsupported, "structural operator !<"},
		{`{} !<< {}`, 3, ErrUnsupported, "structural operator !<<"},
		{`{} !~ {}`, 3, ErrUnsupported, "structural operator !~"},
		{`{} &> {}`, 3, ErrUnsupported, "structural operator &>"},
		{`{} &>> {}`, 3, ErrUnsupported, "structural operator &>>"},
		{`{} &~ {}`, 3, ErrUnsupported, "structural operator &~"},
		// arithmetic and field-to-field
		{`{ .a + 1 = 2 }`, 5, ErrUnsupported, "arithmetic is not supported"},
		{`{ duration * 2 > 1s }`, 11, ErrUnsupported, "arithmetic is not supported"},
		{`{ .a = 1 + 2 }`, 9, ErrUnsupported, "arithmetic is not supported"},
		{`{ .a = 2 ^ 3 }`, 9, ErrUnsupported, "arithmetic is not supported"},
		{`{ .a -1 = 2 }`, 5, ErrUnsupported, "arithmetic is not supported"},
		{`{ .a = .b }`, 7, ErrUnsupported, "comparing a field with another field (.b)"},
		{`{ .a = name }`, 7, ErrUnsupported, "comparing a field with another field (name)"},
		// scopes and intrinsics we refuse
		{`{ event.exception.type = "x" }`, 2, ErrUnsupported, "event. attributes are not supported"},
		{`{ link.a = "x" }`, 2, ErrUnsupported, "link. attributes"},
		{`{ instrumentation.name = "x" }`, 2, ErrUnsupported, "instrumentation. attributes"},
		{`{ parent.a = "x" }`, 2, ErrUnsupported, "parent. attributes"},
		{`{ childCount > 2 }`, 2, ErrUnsupported, "intrinsic childCount is not supported (supported: name"},
		{`{ span:id = "x" }`, 2, ErrUnsupported, "intrinsic span:id is not supported"},
		{`{ event:name = "x" }`, 2, ErrUnsupported, "intrinsic event:name is not supported"},
		{`{ trace:id = "x" }`, 2, ErrUnsupported, "intrinsic trace:id"},
		{`{ nestedSetLeft > 1 }`, 2, ErrUnsupported, "intrinsic nestedSetLeft"},
		// conditions we refuse
		{`{ .a }`, 5, ErrUnsupported, "a bare field (.a) is not a condition"},
		{`{ !.a = 1 }`, 3, ErrUnsupported, "! must be followed by a parenthesised condition"},
		{`{ .a = 1 = 2 }`, 9, ErrUnsupported, "chained comparisons are not supported"},
		{`// hi` + "\n{}", 0, ErrUnsupported, "comments are not supported"},
		// type checks
		{`{ .a =~ "(" }`, 8, ErrSyntax, `invalid regular expression "(" after =~: error parsing regexp`},
		{`{ .a !~ 1 }`, 8, ErrSyntax, "=~ and !~ need a string"},
		{`{ status = "error" }`, 11, ErrSyntax, `status compares with ok, error or unset, not "error"`},
		{`{ status > ok }`, 11, ErrSyntax, "ok can only be compared with = or !="},
		{`{ kind = 2 }`, 9, ErrSyntax, "kind compares with unspecified"},
		{`{ duration > 100 }`, 13, ErrSyntax, "duration compares with a duration such as 100ms, not 100"},
		{`{ traceDuration > "1s" }`, 18, ErrSyntax, "traceDuration compares with a duration"},
		{`{ name = 1 }`, 9, ErrSyntax, "name compares with a string, not 1"},
		{`{ .a = server }`, 7, ErrSyntax, "the bare word server is a status or kind value"},
		{`{ .a > nil }`, 7, ErrSyntax, "nil can only be compared with = or !="},
		{`{ .a < true }`, 7, ErrSyntax, "true can only be compared with = or !="},
		{`{ true = .a }`, 7, ErrSyntax, "needs an intrinsic or attribute on its left, not true"},
		{`{ 1 = .a }`, 2, ErrSyntax, "needs an intrinsic or attribute on its left, not 1"},
		// plain syntax errors, with what was expected
		{``, 0, ErrSyntax, "empty query, expected a spanset filter"},
		{`   `, 3, ErrSyntax, "empty query"},
		{`{`, 1, ErrSyntax, "unexpected end of query, expected a condition"},
		{`{ .a = 1 `, 9, ErrSyntax, "unexpected end of query, expected &&, || or }"},
		{`{ .a = 1 } &&`, 13, ErrSyntax, "unexpected end of query, expected { or ("},
		{`{} {}`, 3, ErrSyntax, `unexpected "{", expected &&, ||, >, >> or the end of the query`},
		{`({}`, 3, ErrSyntax, "unexpected end of query, expected &&, ||, >, >> or )"},
		{`{})`, 2, ErrSyntax, `unexpected ")"`},
		{`{ .a == 1 }`, 6, ErrSyntax, `unexpected "=", expected a value`},
		{`{ .a = }`, 7, ErrSyntax, `unexpected "}", expected a value`},
		{`{ .a 1 }`, 5, ErrSyntax, "expected a comparison operator"},
		{`{ foo = 1 }`, 2, ErrSyntax, `unexpected "foo", expected a condition`},
		{`{ . = 1 }`, 2, ErrSyntax, `expected an attribute name after "."`},
		{`{ span. = 1 }`, 2, ErrSyntax, `expected an attribute name after "span."`},
		{`{ ."abc = 1 }`, 3, ErrSyntax, "unterminated quoted attribute name"},
		{`{ ."a\nb" = 1 }`, 5, ErrSyntax, `invalid escape in quoted attribute name`},
		{`{ .a = "abc }`, 7, ErrSyntax, "unterminated string literal"},
		{"{ .a = \"a\nb\" }", 7, ErrSyntax, "newline in string literal"},
		{`{ .a = "\q" }`, 7, ErrSyntax, `invalid string literal "\q"`},
		{`{ .a = 5x }`, 8, ErrSyntax, `unexpected "x"`},
		{`{ .a = 5ms3 }`, 7, ErrSyntax, `invalid duration "5ms3"`},
		{`{ .a = 1.5.3s }`, 10, ErrSyntax, `unexpected ".3s", expected &&, || or }`},
		{`{ .a = 99999999999999999999 }`, 7, ErrSyntax, "out of the 64-bit range"},
		{`{ .a = 1e999 }`, 7, ErrSyntax, "invalid float"},
		{`{ .a = 999999999h }`, 7, ErrSyntax, "invalid duration"},
		{`{ .a = 99999999999w }`, 7, ErrSyntax, "invalid duration"},
		{`{ .a = 1 } # x`, 11, ErrSyntax, `unexpected character '#'`},
		{"{ .a = 1 } \xff", 11, ErrSyntax, "invalid UTF-8 byte 0xff"},
		{"{ .a\xff = 1 }", 4, ErrSyntax, "invalid UTF-8 byte 0xff in attribute name"},
		{`{ .a = 1, .b = 2 }`, 8, ErrSyntax, `unexpected ","`},
		// limits
		{strings.Repeat("(", 65) + "{}" + strings.Repeat(")", 65), 64, ErrLimit, "nesting deeper than 64"},
		{"{ " + strings.Repeat("!(", 70) + "true" + strings.Repeat(")", 70) + " }", 129, ErrLimit, "nesting deeper than 64"},
		{"{ .a = \"" + strings.Repeat("x", MaxQueryBytes) + "\" }", MaxQueryBytes, ErrLimit, "longer than the 16384-byte limit"},
	}
	for _, tc := range tests {
		name := tc.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.in, e)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error %T %v, want *Error", tc.in, err, err)
			}
			if perr.Offset != tc.offset {
				t.Errorf("offset = %d, want %d (%v)", perr.Offset, tc.offset, err)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error kind = %v, want %v (%v)", perr.Kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "traceql: ") || !strings.HasPrefix(tc.in[perr.Offset:], perr.Snippet) {
				t.Errorf("error %q does not quote the query from its offset", err)
			}
		})
	}
}

func TestErrorMessageFormat(t *testing.T) {
	_, err := Parse(`{ .a = 1 } | count() > 2`)
	want := `traceql: "| count() > 2" at 11: pipelines and aggregates are not supported ` +
		`(supported: spanset filters { ... } combined with &&, ||, >, >>)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}
