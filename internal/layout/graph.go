package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// Load reads the import graph of the packages of the module in dir and of
// everything they import, as built without tests, with the go command at
// goCmd: `go list -e -deps -json ./...`. A package that cannot be loaded
// (a syntax error, a missing import, an import cycle) is an error naming
// it, returned with the graph of the rest.
func Load(goCmd, dir string) ([]Package, error) {
	cmd := exec.Command(goCmd, "list", "-e", "-deps", "-json=ImportPath,Imports,Error", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("layout: go list in %s: %w: %s", dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var pkgs []Package
	var errs []error
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("layout: read go list's output: %w", err)
		}
		if p.Error != nil {
			errs = append(errs, fmt.Errorf("layout: package %s: %s", p.ImportPath, p.Error.Err))
		}
		pkgs = append(pkgs, p.Package)
	}
	return pkgs, errors.Join(errs...)
}
