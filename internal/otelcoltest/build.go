package otelcoltest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// module is the main module, whose repository holds test/otelcol.
const module = "github.com/sightline-dev/sightline"

// binaryName is the built program's file name.
const binaryName = "otelcol-sightline-test"

// built is the one build of a test binary's run.
var built struct {
	once sync.Once
	path string
	skip string // why the tests cannot build it, when there is no go command
	err  error
}

// Build builds the collector program of test/otelcol once per test binary
// run and returns its path. It fails t with the build's output when the
// build fails, and skips t when there is no go command on $PATH.
func Build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		start := time.Now()
		built.path, built.skip, built.err = build()
		if built.err == nil && built.skip == "" {
			t.Logf("otelcoltest: built %s in %v", built.path, time.Since(start).Round(time.Millisecond))
		}
	})
	if built.skip != "" {
		t.Skip(built.skip)
	}
	if built.err != nil {
		t.Fatalf("otelcoltest: %v", built.err)
	}
	return built.path
}

// build runs go build in test/otelcol, into the user's cache directory:
// to a file of its own, renamed over the last build, so that test binaries
// building at the same time, or running the last build, see whole files.
func build() (path, skip string, err error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Sprintf("otelcoltest: no go command on $PATH to build the collector with (%v)", err), nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	dir, err := binDir()
	if err != nil {
		return "", "", err
	}
	tmp, err := os.CreateTemp(dir, binaryName+".*.tmp")
	if err != nil {
		return "", "", fmt.Errorf("build: %w", err)
	}
	_ = tmp.Close()
	defer os.Remove(tmp.Name()) // a no-op once renamed
	src := filepath.Join(root, "test", "otelcol")
	cmd := exec.Command(goCmd, "build", "-C", src, "-o", tmp.Name(), ".")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build -C %s: %w\n%s", src, err, out)
	}
	path = filepath.Join(dir, binaryName)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", "", fmt.Errorf("build: %w", err)
	}
	return path, "", nil
}

// binDir is where the program is built: the user's cache directory, or
// the temporary one without it.
func binDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "sightline", "otelcoltest")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	return dir, nil
}

// repoRoot is the directory of the main module's go.mod, found from the
// working directory upwards (go test runs a test in its package's
// directory).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	for {
		if isMainModule(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the repository: no go.mod of " + module + " in the working directory or above it")
		}
		dir = parent
	}
}

// isMainModule says whether the go.mod file at path declares the main
// module.
func isMainModule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "module ") {
			return strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "module")), `"`) == module
		}
	}
	return false
}
