package traceql

import (
	"reflect"
	"testing"
	"time"
)

// tree prints an AST with every operator as a prefix form, so grouping is
// visible: (&& {…} (>> {…} {…})).
func tree(e SpansetExpr) string {
	switch e := e.(type) {
	case *SpansetOp:
		return "(" + spansetOpText[e.Op] + " " + tree(e.LHS) + " " + tree(e.RHS) + ")"
	case *SpansetFilter:
		if e.Cond == nil {
			return "{}"
		}
		return "{" + condTree(e.Cond) + "}"
	}
	return "?"
}

func condTree(c Cond) string {
	switch c := c.(type) {
	case *Logical:
		return "(" + logicalOpText[c.Op] + " " + condTree(c.LHS) + " " + condTree(c.RHS) + ")"
	case *Not:
		return "(! " + condTree(c.Cond) + ")"
	}
	return c.String()
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		in, want, tree string
	}{
		// spanset filters
		{in: "{}", want: "{}", tree: "{}"},
		{in: "{ }", want: "{}"},
		{in: "{ true }", want: "{ true }"},
		{in: `{ .a = "x" }`, want: `{ .a = "x" }`},
		// precedence between spansets: && and || one level, left-assoc; > >> tighter
		{in: "{.a=1} && {.b=1} || {.c=1}", want: "{ .a = 1 } && { .b = 1 } || { .c = 1 }",
			tree: "(|| (&& {.a = 1} {.b = 1}) {.c = 1})"},
		{in: "{.a=1} || {.b=1} && {.c=1}", want: "{ .a = 1 } || { .b = 1 } && { .c = 1 }",
			tree: "(&& (|| {.a = 1} {.b = 1}) {.c = 1})"},
		{in: "{.a=1} && ({.b=1} || {.c=1})", want: "{ .a = 1 } && ({ .b = 1 } || { .c = 1 })",
			tree: "(&& {.a = 1} (|| {.b = 1} {.c = 1}))"},
		{in: "{.a=1} >> {.b=1} > {.c=1}", want: "{ .a = 1 } >> { .b = 1 } > { .c = 1 }",
			tree: "(> (>> {.a = 1} {.b = 1}) {.c = 1})"},
		{in: "{.a=1} > ({.b=1} >> {.c=1})", want: "{ .a = 1 } > ({ .b = 1 } >> { .c = 1 })",
			tree: "(> {.a = 1} (>> {.b = 1} {.c = 1}))"},
		{in: "{ true } && { false } >> { .a = nil }", want: `{ true } && { false } >> { .a = nil }`,
			tree: "(&& {true} (>> {false} {.a = nil}))"},
		{in: "{ true } >> { false } && {}", want: "{ true } >> { false } && {}",
			tree: "(&& (>> {true} {false}) {})"},
		{in: "({ true } && { false }) >> {}", want: "({ true } && { false }) >> {}",
			tree: "(>> (&& {true} {false}) {})"},
		{in: "((({})))", want: "{}", tree: "{}"},
		// precedence inside a filter
		{in: "{ .a = 1 || .b = 2 && .c = 3 }", want: "{ .a = 1 || .b = 2 && .c = 3 }",
			tree: "{(&& (|| .a = 1 .b = 2) .c = 3)}"},
		{in: "{ .a = 1 || (.b = 2 && .c = 3) }", want: "{ .a = 1 || (.b = 2 && .c = 3) }",
			tree: "{(|| .a = 1 (&& .b = 2 .c = 3))}"},
		{in: "{ !(.a = 1 && .b = 2) || true }", want: "{ !(.a = 1 && .b = 2) || true }",
			tree: "{(|| (! (&& .a = 1 .b = 2)) true)}"},
		{in: "{ ((.a = 1)) }", want: "{ .a = 1 }"},
		// intrinsics, both spellings
		{in: `{ name = "GET /" }`, want: `{ name = "GET /" }`},
		{in: `{ span:name = "GET /" }`, want: `{ name = "GET /" }`},
		{in: "{ status = error }", want: "{ status = error }"},
		{in: "{ span:status != ok }", want: "{ status != ok }"},
		{in: "{ status = unset }", want: "{ status = unset }"},
		{in: `{ statusMessage =~ "time.*out" }`, want: `{ statusMessage =~ "time.*out" }`},
		{in: `{ span:statusMessage != "" }`, want: `{ statusMessage != "" }`},
		{in: "{ duration > 100ms }", want: "{ duration > 100ms }"},
		{in: "{ span:duration <= 1.5s }", want: "{ duration <= 1.5s }"},
		{in: "{ kind = server }", want: "{ kind = server }"},
		{in: "{ span:kind != client }", want: "{ kind != client }"},
		{in: "{ kind = producer || kind = consumer || kind = internal || kind = unspecified }",
			want: "{ kind = producer || kind = consumer || kind = internal || kind = unspecified }"},
		{in: `{ rootName = "a" }`, want: `{ rootName = "a" }`},
		{in: `{ trace:rootName = "a" }`, want: `{ rootName = "a" }`},
		{in: `{ rootServiceName = "svc" }`, want: `{ rootServiceName = "svc" }`},
		{in: `{ trace:rootService = "svc" }`, want: `{ rootServiceName = "svc" }`},
		{in: "{ traceDuration >= 2m }", want: "{ traceDuration >= 2m0s }"},
		{in: "{ trace:duration < 1h }", want: "{ traceDuration < 1h0m0s }"},
		// attributes
		{in: "{ .http.status_code >= 500 }", want: "{ .http.status_code >= 500 }"},
		{in: `{ resource.service.name = "api" }`, want: `{ resource.service.name = "api" }`},
		{in: "{ span.http.method = `GET` }", want: `{ span.http.method = "GET" }`},
		{in: `{ ."with space" = 1 }`, want: `{ ."with space" = 1 }`},
		{in: `{ span."a\"b\\c" = 1 }`, want: `{ span."a\"b\\c" = 1 }`},
		{in: `{ resource."service"."name" = 1 }`, want: `{ resource.service.name = 1 }`},
		{in: `{ .span.x = 1 }`, want: `{ .span.x = 1 }`},
		{in: `{ .error = true }`, want: `{ .error = true }`},
		{in: `{ .a-b/c = 1 }`, want: `{ .a-b/c = 1 }`},
		{in: `{ .é = 1 }`, want: `{ .é = 1 }`},
		// literals
		{in: `{ .s = "tab\tq\"x\u00e9" }`, want: `{ .s = "tab\tq\"xé" }`},
		{in: "{ .s = `raw\\n` }", want: `{ .s = "raw\\n" }`},
		{in: "{ .i = -42 }", want: "{ .i = -42 }"},
		{in: "{ .i = 9223372036854775807 }", want: "{ .i = 9223372036854775807 }"},
		{in: "{ .f = 1.5 }", want: "{ .f = 1.5 }"},
		{in: "{ .f = 2.0 }", want: "{ .f = 2.0 }"},
		{in: "{ .f = -2.5e3 }", want: "{ .f = -2500.0 }"},
		{in: "{ .f = 1e21 }", want: "{ .f = 1e+21 }"},
		{in: "{ .b = false }", want: "{ .b = false }"},
		{in: "{ .d = 10us && .d = 5ns && .d = 3µs && .d = 1d && .d = 1w }",
			want: "{ .d = 10µs && .d = 5ns && .d = 3µs && .d = 24h0m0s && .d = 168h0m0s }"},
		{in: "{ .d > -5ms }", want: "{ .d > -5ms }"},
		{in: "{ .a != nil }", want: "{ .a != nil }"},
		{in: "{ status = nil }", want: "{ status = nil }"},
		// every operator
		{in: "{ .a = 1 && .a != 1 && .a > 1 && .a >= 1 && .a < 1 && .a <= 1 }",
			want: "{ .a = 1 && .a != 1 && .a > 1 && .a >= 1 && .a < 1 && .a <= 1 }"},
		{in: `{ .a =~ "^x+$" && .a !~ "y" }`, want: `{ .a =~ "^x+$" && .a !~ "y" }`},
		{in: `{.a<"b"}`, want: `{ .a < "b" }`},
		{in: "\t{\n.a\r=\n1}\n", want: "{ .a = 1 }"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got := e.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if tc.tree != "" {
				if got := tree(e); got != tc.tree {
					t.Errorf("tree = %q, want %q", got, tc.tree)
				}
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("reparse of %q: %v", e.String(), err)
			}
			if !reflect.DeepEqual(e, again) {
				t.Errorf("reparse of %q gave a different AST: %s", e.String(), tree(again))
			}
		})
	}
}

func TestParseAST(t *testing.T) {
	e, err := Parse(`{ resource.service.name = "api" && duration > 1.5s } >> { status = error }`)
	if err != nil {
		t.Fatal(err)
	}
	want := &SpansetOp{
		Op: SpansetDescendant,
		LHS: &SpansetFilter{Cond: &Logical{
			Op:  And,
			LHS: &Comparison{Field: Field{Scope: ScopeResource, Name: "service.name"}, Op: Eq, Value: Literal{Type: LitString, Str: "api"}},
			RHS: &Comparison{Field: Field{Intrinsic: Duration}, Op: Gt, Value: Literal{Type: LitDuration, Duration: 1500 * time.Millisecond}},
		}},
		RHS: &SpansetFilter{Cond: &Comparison{Field: Field{Intrinsic: Status}, Op: Eq, Value: Literal{Type: LitStatus, Status: StatusError}}},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("Parse gave %s, want %s", tree(e), tree(want))
	}
}
