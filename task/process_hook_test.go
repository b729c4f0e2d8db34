package task

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/task/natstest"
)

// submitterProcess is the value of workerProcessEnv that makes the test
// binary a submitter (see TestMain): a process that only submits tasks.
const submitterProcess = "submitter"

// envClients lists the clients a submitter process makes, in order:
// local (NewLocal), default (the package-level Submit), nats (DialNATS).
const envClients = "SIGHTLINE_TASK_TEST_CLIENTS"

// submitterProcessMain registers a hook that appends this pid to
// DIR/hook.log, then makes the clients envClients lists, each choosing its
// hook from the environment. Exit 3: a client could not be made (the
// error on stderr); exit 4: the first client returned before the hook ran.
func submitterProcessMain() int {
	dir := os.Getenv(envDir)
	if err := RegisterHook(testTracingHook, func(context.Context) error {
		return appendLine(filepath.Join(dir, "hook.log"), strconv.Itoa(os.Getpid()))
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reg := NewRegistry()
	if err := RegisterIn(reg, "add", add); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := RegisterIn(DefaultRegistry(), "add", add); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var clients []*Client
	defer func() {
		for _, c := range clients {
			_ = c.Shutdown(context.Background())
		}
	}()
	for i, kind := range strings.Split(os.Getenv(envClients), ",") {
		var c *Client
		var err error
		switch kind {
		case "local":
			c, err = NewLocal(WithRegistry(reg))
		case "default":
			_, err = Submit(ctx, "add", pair{1, 2})
		case "nats":
			c, err = DialNATS(ctx, os.Getenv(envNATSURL))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if c != nil {
			clients = append(clients, c)
		}
		if i == 0 {
			data, _ := os.ReadFile(filepath.Join(dir, "hook.log"))
			if !strings.Contains(string(data), strconv.Itoa(os.Getpid())+"\n") {
				fmt.Fprintf(os.Stderr, "client %s made before the hook ran\n", kind)
				return 4
			}
		}
	}
	return 0
}

// TestHookInEveryProcess: the startup hook HookEnv names runs once in each
// process that submits tasks, however many clients of whatever kind it
// makes (Ray runs the tracing startup hook in the driver as in every
// worker: doc/source/ray-observability/user-guides/ray-tracing.rst, "This
// hook needs to be available in the Python environment of all the worker
// processes", given to `ray start --tracing-startup-hook` or
// ray.init(_tracing_startup_hook=...)); an unknown name makes the first
// client fail, naming the variable and the registered hooks.
func TestHookInEveryProcess(t *testing.T) {
	url := natstest.Start(t)
	dir := t.TempDir()
	run := func(hook, clients string) (pid int, stderr string, code int) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), workerProcessEnv+"="+submitterProcess, envNATSURL+"="+url,
			envDir+"="+dir, HookEnv+"="+hook, envClients+"="+clients)
		var errOut strings.Builder
		cmd.Stderr = &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return cmd.Process.Pid, errOut.String(), cmd.ProcessState.ExitCode()
	}
	var pids []string
	for _, clients := range []string{"local,local,default,nats", "default,local", "nats,default"} {
		pid, stderr, code := run(" "+testTracingHook+" ", clients)
		if code != 0 {
			t.Fatalf("submitter process %d (clients %s): exit %d\n%s", pid, clients, code, stderr)
		}
		pids = append(pids, strconv.Itoa(pid))
	}
	data, err := os.ReadFile(filepath.Join(dir, "hook.log"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(pids, "\n") + "\n"; string(data) != want {
		t.Errorf("hook runs (one pid a line) = %q, want one per process %q", data, want)
	}

	_, stderr, code := run("ray.util.tracing.setup_local_tmp_tracing:setup_tracing", "local")
	want := `unknown startup hook "ray.util.tracing.setup_local_tmp_tracing:setup_tracing" (registered: ` + testTracingHook + `) (from ` + HookEnv + `)`
	if code != 3 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "new local client") {
		t.Errorf("unknown hook: exit %d, stderr %q; want 3 and %q", code, stderr, want)
	}
}
