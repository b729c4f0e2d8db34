package layout

import (
	"strings"
	"testing"
)

// fake is an import graph that breaks each rule once, and keeps each
// rule's allowed and unrelated imports.
var fake = []Package{
	{m("plan"), []string{m("telemetry/topic"), m("internal/helper"), "go.opentelemetry.io/otel/trace"}},
	{m("internal/helper"), []string{"go.opentelemetry.io/otel/sdk/trace"}},
	{"go.opentelemetry.io/otel/sdk/trace", []string{"go.opentelemetry.io/otel/sdk/resource"}},
	{m("device/sim"), []string{m("telemetry/attrs")}},
	{m("remote"), []string{m("telemetry")}},
	{m("remote/server"), []string{m("telemetry"), "modernc.org/sqlite"}}, // the device host may
	{m("task"), []string{"modernc.org/sqlite/lib"}},
	{m("telemetry"), []string{m("telemetry/internal/otlpjson"), m("internal/sqlitefile")}},
	{m("telemetry/internal/otlpjson"), []string{m("internal/otlpenum")}},
	{m("telemetry/admin"), []string{m("internal/store")}},
	{m("internal/serve"), []string{m("internal/store"), m("telemetry")}},
	{m("internal/demo"), []string{m("cmd/sightline")}},
	{m("cmd/sightline"), []string{m("internal/serve")}},
}

func TestCheck(t *testing.T) {
	var got []string
	for _, v := range Check(fake, Rules) {
		got = append(got, v.Error())
	}
	rule := func(i int) string { return `it breaks the rule "` + Rules[i].Name + `" (` + Rules[i].Why + `)` }
	want := []string{
		m("internal/demo") + " imports " + m("cmd/sightline") + ": " + rule(2),
		m("plan") + " imports go.opentelemetry.io/otel/sdk/trace through " + m("plan") + " -> " + m("internal/helper") +
			" -> go.opentelemetry.io/otel/sdk/trace: " + rule(0),
		m("remote") + " imports " + m("telemetry") + ": " + rule(0),
		m("task") + " imports modernc.org/sqlite/lib: " + rule(0),
		m("telemetry/admin") + " imports " + m("internal/store") + ": " + rule(1),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckChains: the first forbidden package on each path is reported,
// with the shortest chain, once; what lies beyond it is not.
func TestCheckChains(t *testing.T) {
	r := Rule{Name: "r", Why: "w", Packages: []string{"a"}, Forbidden: []string{"x/..."}}
	g := []Package{
		{"a", []string{"b", "c"}},
		{"b", []string{"x/one"}},
		{"c", []string{"d"}},
		{"d", []string{"x/one", "x/two"}},
		{"x/one", []string{"x/three"}},
	}
	var got []string
	for _, v := range Check(g, []Rule{r}) {
		got = append(got, strings.Join(v.Chain, " -> "))
	}
	if want := "a -> b -> x/one|a -> c -> d -> x/two"; strings.Join(got, "|") != want {
		t.Errorf("chains %q, want %q", got, want)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"a/b", "a/b", true}, {"a/b", "a/b/c", false}, {"a/b/...", "a/b", true}, {"a/b/...", "a/b/c/d", true},
		{"a/b/...", "a/bc", false}, {"a/...", "b", false},
	} {
		if got := Match(c.pattern, c.path); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.path, got)
		}
	}
}
