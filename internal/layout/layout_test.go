package layout

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestImportRules checks the module's import graph against Rules.
func TestImportRules(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the import rules are not checked: no go command on $PATH to list the import graph with (%v)", err)
	}
	pkgs, err := Load(goCmd, filepath.Join("..", ".."))
	if err != nil {
		t.Error(err) // and check what could be loaded
	}
	var mine int
	for _, p := range pkgs {
		if Match(Module+"/...", p.ImportPath) {
			mine++
		}
	}
	if mine < 20 {
		t.Fatalf("go list found %d packages of %s: is the test run from internal/layout?", mine, Module)
	}
	for _, v := range Check(pkgs, Rules) {
		t.Error(v)
	}
}
