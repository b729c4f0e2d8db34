package layout

import (
	"fmt"
	"slices"
	"strings"
)

// Package is a node of the import graph: a package and what it imports
// directly (as `go list -json` reports them).
type Package struct {
	// ImportPath is the package's import path.
	ImportPath string
	// Imports are the import paths it imports directly.
	Imports []string
}

// Violation is a package that reaches what a rule forbids it.
type Violation struct {
	// Rule is the rule broken.
	Rule Rule
	// Package is the offending package.
	Package string
	// Import is the forbidden package it reaches.
	Import string
	// Chain is the imports from Package to Import, both included.
	Chain []string
}

// Error says which package breaks which rule, through which imports.
func (v Violation) Error() string {
	via := ""
	if len(v.Chain) > 2 {
		via = " through " + strings.Join(v.Chain, " -> ")
	}
	return fmt.Sprintf("%s imports %s%s: it breaks the rule %q (%s)", v.Package, v.Import, via, v.Rule.Name, v.Rule.Why)
}

// Match reports whether the import path p matches pattern: p itself, or
// with pattern "x/...", x or anything under x/.
func Match(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return Match(pat, p) })
}

// forbids reports whether r forbids reaching p.
func (r Rule) forbids(p string) bool { return matchAny(r.Forbidden, p) && !matchAny(r.Allowed, p) }

// Check returns every violation of rules in the graph pkgs, sorted by
// package, import and rule: for each package a rule applies to, the first
// forbidden package on each path of imports from it, with the shortest
// chain that reaches it. Imports not in pkgs are leaves.
func Check(pkgs []Package, rules []Rule) []Violation {
	imports := make(map[string][]string, len(pkgs))
	for _, p := range pkgs {
		imports[p.ImportPath] = p.Imports
	}
	var out []Violation
	for _, p := range pkgs {
		for _, r := range rules {
			if matchAny(r.Packages, p.ImportPath) {
				out = append(out, reach(p.ImportPath, r, imports)...)
			}
		}
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return strings.Compare(a.Package+"\x00"+a.Import+"\x00"+a.Rule.Name, b.Package+"\x00"+b.Import+"\x00"+b.Rule.Name)
	})
	return out
}

// reach walks the imports from pkg breadth first and returns the forbidden
// packages it meets, without walking on through them.
func reach(pkg string, r Rule, imports map[string][]string) []Violation {
	var out []Violation
	parent := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range imports[cur] {
			if _, seen := parent[imp]; seen {
				continue
			}
			parent[imp] = cur
			if imp != pkg && r.forbids(imp) {
				out = append(out, Violation{Rule: r, Package: pkg, Import: imp, Chain: chain(imp, parent)})
				continue
			}
			queue = append(queue, imp)
		}
	}
	return out
}

// chain is the path from the walk's start to p.
func chain(p string, parent map[string]string) []string {
	var c []string
	for ; p != ""; p = parent[p] {
		c = append(c, p)
	}
	slices.Reverse(c)
	return c
}
