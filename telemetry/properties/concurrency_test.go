package properties

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Goroutines writing distinct keys of one component through two Stores on
// one file: every write is there afterwards.
func TestConcurrentGoroutines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	stores := []*Store{openAt(t, path), openAt(t, path)}
	const goroutines, sets = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*sets)
	for g := range goroutines {
		wg.Go(func() {
			s := stores[g%len(stores)]
			for i := range sets {
				key := fmt.Sprintf("g%d.k%02d", g, i)
				if err := s.Set(ctx, "shared", map[string][]string{key: {strconv.Itoa(g), strconv.Itoa(i)}}); err != nil {
					errs <- err
				}
				if i%10 == 0 { // reads interleave with the writes
					if _, err := s.Get(ctx, "shared"); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := openAt(t, path).Get(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != goroutines*sets {
		t.Errorf("got %d keys, want %d", len(got), goroutines*sets)
	}
	for g := range goroutines {
		for i := range sets {
			key := fmt.Sprintf("g%d.k%02d", g, i)
			if v := got[key]; len(v) != 2 || v[0] != strconv.Itoa(g) || v[1] != strconv.Itoa(i) {
				t.Errorf("%s = %q", key, v)
			}
		}
	}
}

// helperEnv carries a helperJob to TestHelperWriter in a child process.
const helperEnv = "SIGHTLINE_PROPERTIES_HELPER"

type helperJob struct {
	Path   string `json:"path"`
	Prefix string `json:"prefix"`
	Keys   int    `json:"keys"`
}

// Two processes writing one file at once lose nothing. Each is this test
// binary re-executed to run TestHelperWriter; both open the file, report
// ready and wait on stdin, so their Sets start together and interleave.
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	const keys = 200
	type child struct {
		cmd            *exec.Cmd
		stdin          io.WriteCloser
		stdout         *bufio.Reader
		output, stderr bytes.Buffer
	}
	var children []*child
	for _, prefix := range []string{"a", "b"} {
		job, _ := json.Marshal(helperJob{Path: path, Prefix: prefix, Keys: keys})
		c := &child{cmd: exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")}
		c.cmd.Env = append(os.Environ(), helperEnv+"="+string(job))
		c.cmd.Stderr = &c.stderr
		stdin, err := c.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := c.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.stdin, c.stdout = stdin, bufio.NewReader(stdout)
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, c)
	}
	for _, c := range children { // wait until both have the file open
		line, err := c.stdout.ReadString('\n')
		if line != "ready\n" {
			c.stdin.Close()
			_, _ = io.Copy(&c.output, c.stdout) // diagnostics only
			_ = c.cmd.Wait()                    // reported below
			t.Fatalf("helper did not get ready (%q, %v):\n%s%s", line, err, c.output.String(), c.stderr.String())
		}
	}
	for _, c := range children { // go
		c.stdin.Close()
	}
	for _, c := range children {
		_, _ = io.Copy(&c.output, c.stdout) // Wait reports failures
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("helper: %v\n%s%s", err, c.output.String(), c.stderr.String())
		}
	}

	s := openAt(t, path)
	got, err := s.Get(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*keys {
		t.Errorf("got %d keys, want %d", len(got), 2*keys)
	}
	for _, prefix := range []string{"a", "b"} {
		for i := range keys {
			key := fmt.Sprintf("%s.%03d", prefix, i)
			if v := got[key]; len(v) != 2 || v[0] != prefix || v[1] != strconv.Itoa(i) {
				t.Errorf("%s = %q", key, v)
			}
		}
	}
	// How much the writers interleaved (informational: scheduling decides,
	// and SQLite's lock is not fair; the result above must hold either way).
	rows, err := s.db.Query(`SELECT substr(key, 1, 1) FROM properties WHERE component = 'shared' ORDER BY updated_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	switches, last := 0, ""
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		if last != "" && p != last {
			switches++
		}
		last = p
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("writes switched between the processes %d times", switches)
}

// TestHelperWriter is the child process of TestTwoProcesses; run directly,
// it skips.
func TestHelperWriter(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process for TestTwoProcesses")
	}
	var job helperJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatalf("%s: %v", helperEnv, err)
	}
	ctx := context.Background()
	s, err := Open(ctx, job.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fmt.Println("ready")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil { // wait for the parent's go
		t.Fatal(err)
	}
	for i := range job.Keys {
		key := fmt.Sprintf("%s.%03d", job.Prefix, i)
		if _, err := s.Get(ctx, "shared"); err != nil { // a reader alongside the other writer
			t.Fatal(err)
		}
		if err := s.Set(ctx, "shared", map[string][]string{key: {job.Prefix, strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
}
