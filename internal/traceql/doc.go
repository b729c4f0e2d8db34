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
package traceql
