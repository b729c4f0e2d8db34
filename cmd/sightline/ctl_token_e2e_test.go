package main

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCtlToken drives the built binaries: a program's admin API refuses
// changes without its token, also from loopback; sightline ctl given no
// token reads the program's token file (and names the file it tried when
// there is none); file endpoints go only to directories allowed at start;
// the token file goes away when the program stops.
func TestCtlToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	sightline, quickstart := buildBinaries(t)
	runDir, allowed := t.TempDir(), t.TempDir()
	ctlEnv := cleanEnv("SIGHTLINE_RUNTIME_DIR=" + runDir)
	env := append(slices.Clone(ctlEnv), "SIGHTLINE_ADMIN_FILE_DIRS="+allowed)
	db := filepath.Join(t.TempDir(), "props.db")
	p := startProgram(t, quickstart, env, "-admin", "127.0.0.1:0", "-props", db, "-interval", "50ms")
	_, port, err := net.SplitHostPort(p.addr)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(runDir, "admin-"+port+".json")
	if fi, err := os.Stat(tokenFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file %s: %v %v, want mode 0600", tokenFile, fi, err)
	}

	// No flags but the address: the token comes from the file.
	mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "topics", "set", "user,kernel")
	if out := mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "topics"); !strings.Contains(out, "kernel") {
		t.Errorf("topics after the change: %s", out)
	}

	elsewhere := t.TempDir()
	triedFile := filepath.Join(elsewhere, "admin-"+port+".json")
	cron := "/etc/cron.d/sightline-ctl-test-" + strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"no token file", cleanEnv("SIGHTLINE_RUNTIME_DIR=" + elsewhere), []string{"quickstart", "stop"},
			1, []string{"missing bearer token", triedFile, "no such file", "hint:", "--token"}},
		{"wrong --token", ctlEnv, []string{"--token", "not-the-token-0123456789", "quickstart", "stop"},
			1, []string{"wrong bearer token", "hint:"}},
		{"wrong SIGHTLINE_ADMIN_TOKEN", append(slices.Clone(ctlEnv), "SIGHTLINE_ADMIN_TOKEN=not-the-token-0123456789"),
			[]string{"quickstart", "stop"}, 1, []string{"wrong bearer token", "hint:"}},
		{"reads need no token", cleanEnv("SIGHTLINE_RUNTIME_DIR=" + elsewhere), []string{"quickstart", "status"},
			0, []string{"quickstart"}},
		{"file endpoint outside", ctlEnv, []string{"quickstart", "tracing", "endpoints", "set", "file", cron},
			1, []string{"is outside the directories allowed", allowed}},
		{"file endpoint outside, persisted", ctlEnv, []string{"--persist", "quickstart", "tracing", "endpoints", "add", "file", cron},
			1, []string{"is outside the directories allowed", allowed}},
		{"escape by dot-dot, persisted", ctlEnv, []string{"--persist", "quickstart", "tracing", "endpoints", "add", "file", allowed + "/../x.jsonl"},
			1, []string{"is outside the directories allowed"}},
		{"file endpoint inside", ctlEnv, []string{"quickstart", "logging", "endpoints", "set", "file", filepath.Join(allowed, "logs-{pid}.jsonl")},
			0, []string{"logs-{pid}.jsonl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := ctl(t, sightline, tc.env, append([]string{"--addr", p.addr}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if hint := strings.Contains(out, "hint:"); hint != slices.Contains(tc.want, "hint:") {
				t.Errorf("token hint shown: %v, want %v:\n%s", hint, !hint, out)
			}
		})
	}
	if _, err := os.Lstat(cron); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists: %v", cron, err)
	}
	if props := mustCtl(t, sightline, ctlEnv, "props", "get", "--db", db, "quickstart"); strings.Contains(props, "tracing") {
		t.Errorf("a refused file endpoint was persisted:\n%s", props)
	}

	p.stop(t)
	if _, err := os.Stat(tokenFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file after the program stopped: %v", err)
	}
}
