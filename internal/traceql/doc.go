// Package traceql parses the part of Grafana Tempo's TraceQL that people type
// into Grafana's Tempo data source search (`/api/search?q=...`), into an AST
// a store can evaluate. Everything outside that part is refused with an
// *Error naming the construct and its byte offset; nothing is silently
// dropped or reinterpreted.
//
// # Sources
//
// The syntax follows Tempo's own grammar and lexer, grafana/tempo
// pkg/traceql/expr.y and pkg/traceql/lexer.go (Tempo 2.x), and the TraceQL
// documentation at https://grafana.com/docs/tempo/latest/traceql/
// ("Construct a TraceQL query", "Trace structure and TraceQL"). Precedence
// was checked against Tempo's TestSpansetExpressionPrecedence
// (pkg/traceql/parse_test.go).
//
// # Grammar accepted
//
//	query      = spanset EOF
//	spanset    = structural { ("&&" | "||") structural }      left-assoc, one level
//	structural = primary { (">" | ">>") primary }             left-assoc, binds tighter
//	primary    = "{" [ cond ] "}" | "(" spanset ")"
//	cond       = condAtom { ("&&" | "||") condAtom }          left-assoc, one level
//	condAtom   = "(" cond ")" | "!" "(" cond ")" | "true" | "false" | field op value
//	op         = "=" | "!=" | ">" | ">=" | "<" | "<=" | "=~" | "!~"
//	field      = intrinsic | "." name | "span." name | "resource." name
//	value      = string | integer | float | duration | "true" | "false" | "nil"
//	           | "ok" | "error" | "unset"
//	           | "unspecified" | "internal" | "server" | "client" | "producer" | "consumer"
//
// As in Tempo's yacc grammar (%left AND OR on one line), && and || have the
// same precedence and associate to the left, both between spansets and
// inside a filter: `{ .a = 1 || .b = 2 && .c = 3 }` means
// `{ (.a = 1 || .b = 2) && .c = 3 }`. The structural operators > and >> bind
// tighter than && and ||: `{a} && {b} >> {c}` is `{a} && ({b} >> {c})`.
//
// Intrinsics, each in its legacy and its scoped spelling: name / span:name,
// status / span:status, statusMessage / span:statusMessage,
// duration / span:duration, kind / span:kind, rootName / trace:rootName,
// rootServiceName / trace:rootService, traceDuration / trace:duration.
//
// Attribute names run until a space or one of {}()=~!<>&|^, (Tempo's rule),
// so `.http.status_code` and `resource.service.name` are single names. Parts
// in double quotes may hold anything, with \" and \\ escapes:
// `span."with space"`, `resource."a"."b"`.
//
// Literals: strings in double quotes (Go escapes) or backticks (raw);
// integers (64-bit, optionally negative); floats (1.5, 2e3); durations as in
// Go (100ms, 1.5s, 2m, 1h30m, 10us, 5ns) plus d and w; true, false; nil,
// for `!= nil` existence tests; status and kind values as bare words.
//
// Each comparison is checked: =~ and !~ need a string that compiles as a Go
// regexp; status and kind compare with = or != against their own values;
// duration and traceDuration against durations; name, statusMessage,
// rootName and rootServiceName against strings; nil and booleans with = or
// != only.
//
// # Refused
//
// Pipelines (|) and everything after them: aggregates (count, avg, min, max,
// sum), select, by, coalesce, metrics functions; the sibling (~), parent (<),
// ancestor (<<), negated (!>, !>>, !<, !<<, !~) and union (&>, &>>, ...)
// structural operators; arithmetic (+ - * / % ^); comparing two fields;
// bare fields as conditions; chained comparisons; ! not followed by (;
// the event., link., instrumentation. and parent. scopes and intrinsics such
// as childCount, span:id and event:name; comments.
//
// # Limits
//
// A query is at most MaxQueryBytes (16 KiB); ( and { nest at most MaxDepth
// (64) deep. The parser is a recursive-descent parser over an on-demand
// lexer, with one token of lookahead and no backtracking: time is linear in
// the query length.
//
// # Printing
//
// Every AST node has a String method printing TraceQL that parses back to an
// equal AST, with only the parentheses the grouping needs. Intrinsics print
// in their legacy spelling, which every Tempo 2.x accepts.
//
// # Evaluation
//
// Compile turns an AST into a *Query; Query.Match runs it over a Trace and
// returns the spans of the resulting spanset, and a trace matches when that
// is not empty. The semantics are Tempo's, read from grafana/tempo
// pkg/traceql (ast_execute.go: BinaryOperation.execute, UnaryOperation,
// SpansetOperation.evaluate, uniqueSpans; enum_statics.go:
// isMatchingOperand; Static.Equals and NotEquals), the vparquet4 span's
// AttributeFor (tempodb/encoding/vparquet4/block_traceql.go) and the docs
// page "Construct a TraceQL query" (docs/sources/tempo/traceql):
//
//   - `{}` selects every span, `{ cond }` the spans where cond holds.
//   - span.x looks in the span's attributes, resource.x in its resource's.
//     Unscoped .x holds when the span's or the resource's value satisfies
//     the comparison. (Tempo's engine resolves .x to the span's value when
//     there is one, but its storage layer pushes the comparison down to
//     both scopes first, so a query sees a match in either; we follow what
//     queries observe.) `.x = nil` holds when x is in neither scope,
//     `.x != nil` when it is in either. With a key repeated in one scope
//     the first one counts.
//   - A comparison with a missing attribute is false for every operator but
//     `= nil`, `!=` included (Static.NotEquals is false when a side is nil).
//     `!( cond )` is plain negation, so `!(.x = "a")` holds on spans without
//     x (UnaryOperation; Tempo's fetch layer fetches negated attributes
//     unfiltered for this reason).
//   - Types must fit or the comparison is false, never an error: strings
//     compare with strings (= != < <= > >= lexicographically, =~ !~), ints
//     and floats with each other numerically (int with int exactly, other
//     pairs as float64, so 5 = 5.0), booleans with booleans (= !=). A
//     duration literal is an int of nanoseconds: duration and traceDuration
//     compare with it, and so, as in Tempo, do int and float attributes.
//     Values of kind ValueOther (bytes, arrays, maps) only answer nil tests.
//   - Regular expressions are anchored at both ends: `=~ "ab"` matches "ab"
//     only (Tempo 2.7 and later, grafana/tempo#4329; the docs: "All regular
//     expressions are treated as fully anchored").
//   - Intrinsics: name, statusMessage (strings), status, kind (a zero
//     Span.Status is unset, a zero Span.Kind unspecified), duration
//     (End - Start). Trace-level: traceDuration is the latest end minus the
//     earliest start; rootName and rootServiceName (the root's resource
//     service.name) come from the earliest-starting span with a zero
//     parent, or, when its root has not arrived, the earliest-starting span
//     whose parent is not in the trace (Tempo only knows zero-parent roots);
//     without any, both are missing.
//   - `A && B` selects the spans of both when each is non-empty, `A || B`
//     the spans of either (SpansetOperation.evaluate); `A > B` the spans of
//     B whose parent is in A, `A >> B` those with an ancestor in A. Parents
//     are found by ID within the trace; a span whose parent is missing, or
//     is itself, has none. When two spans share an ID the first is the
//     parent. One memoized walk answers >> for all spans, linear even on a
//     20,000-deep chain, and a cycle of parents is cut where a walk meets
//     itself.
//
// Match costs the spans times the query's nodes, plus one map of span IDs
// when the query uses > or >> (or looks for a root without a zero parent).
//
// Query.Necessary derives, for the store's index, terms every matching trace
// satisfies: a conjunction of groups, each a disjunction of Terms, with at
// least one term of every group true for some span. It over-approximates
// Match (property-tested against it): `=` with a string, number or boolean
// gives that value; any other attribute comparison but `= nil` requires the
// attribute to exist; `=` on name, status and kind gives that value; the
// rest, and negation, require nothing. || distributes; past 16 groups, or 64
// terms in a group, groups are dropped, which only weakens the pruning.
// Query.Fields lists the attributes a query names, for the search answer.
package traceql
