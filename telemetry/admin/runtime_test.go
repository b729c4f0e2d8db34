package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

// servePublished serves a handler with a generated token and the runtime
// directory dir on 127.0.0.1:0; stop ends it and returns Serve's error.
func servePublished(t *testing.T, dir string) (*Handler, net.Addr, func() error) {
	t.Helper()
	comp, _ := testComponent(t, "motor", nil)
	h, err := NewHandler(noEnv, WithComponents(comp), WithRuntimeDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := listenAndServe(t, h, "127.0.0.1:0")
	return h, addr, stop
}

// The generated token is published in a 0600 file in a 0700 directory
// while the handler serves, works for a client that reads it, and is
// removed at shutdown.
func TestTokenFilePublished(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "sightline") // created by Publish
	h, addr, stop := servePublished(t, dir)
	port := addr.(*net.TCPAddr).Port
	path := filepath.Join(dir, "admin-"+strconv.Itoa(port)+".json")
	if p, _ := TokenFile(dir, port); p != path {
		t.Errorf("TokenFile = %q, want %q", p, path)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	var info TokenInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("token file %s: %v", b, err)
	}
	if info != (TokenInfo{Addr: addr.String(), PID: os.Getpid(), Token: h.Token()}) {
		t.Errorf("token file holds %+v", info)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: mode %04o, want %04o", p, got, want)
			}
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".admin-*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// A client that reads the file changes things; one whose runtime
	// directory holds no file for the port is told which file it tried.
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	ctx := context.Background()
	c, _ := NewClient(addr.String(), WithHTTPClient(hc), WithRuntimeToken(dir))
	if err := c.SetTopics(ctx, "motor", []string{"kernel"}); err != nil {
		t.Fatalf("change with the published token: %v", err)
	}
	elsewhere := t.TempDir()
	c2, _ := NewClient(addr.String(), WithHTTPClient(hc), WithRuntimeToken(elsewhere))
	e := asError(t, c2.Disable(ctx, "motor"))
	wantFile := filepath.Join(elsewhere, "admin-"+strconv.Itoa(port)+".json")
	if e.StatusCode != 401 || !strings.Contains(e.Message, wantFile) || !strings.Contains(e.Message, "no such file") {
		t.Errorf("change without a token file: %d %q; want 401 naming %s", e.StatusCode, e.Message, wantFile)
	}

	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file after shutdown: %v", err)
	}
}

// A stale file (a server that died and whose port is served anew by one
// with another token) gets a 403 that says where the token came from.
func TestTokenFileStale(t *testing.T) {
	dir := t.TempDir()
	_, addr, stop := servePublished(t, dir)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	path, _ := TokenFile(dir, addr.(*net.TCPAddr).Port)
	if err := writeFileAtomic(path, []byte(`{"addr":"x","pid":1,"token":"old-token-0123456789"}`)); err != nil {
		t.Fatal(err)
	}
	c, _ := NewClient(addr.String(), WithRuntimeToken(dir))
	defer c.CloseIdleConnections()
	e := asError(t, c.Disable(context.Background(), "motor"))
	if e.StatusCode != 403 || !strings.Contains(e.Message, path) || !strings.Contains(e.Message, "pid 1") {
		t.Errorf("stale token: %d %q", e.StatusCode, e.Message)
	}
}

// A runtime directory others could write to is refused before serving:
// Serve returns the error, closes the listener and publishes nothing.
func TestRuntimeDirRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	parent := t.TempDir()
	groupWritable := filepath.Join(parent, "shared")
	if err := os.Mkdir(groupWritable, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(groupWritable, 0o770); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(parent, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, want string }{
		{"group writable", groupWritable, "mode 0770 lets others write to it"},
		{"world writable", "/tmp", "want a directory of your own"},
		{"not a directory", notDir, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(noEnv, WithRuntimeDir(tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			err = h.Serve(context.Background(), ln)
			if err == nil || !strings.Contains(err.Error(), tt.dir) || !strings.Contains(err.Error(), tt.want) ||
				!strings.Contains(err.Error(), RuntimeDirEnv) {
				t.Fatalf("Serve = %v; want a refusal naming %s, %q and %s", err, tt.dir, tt.want, RuntimeDirEnv)
			}
			if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("listener not closed: Accept = %v", err)
			}
			path, _ := TokenFile(tt.dir, ln.Addr().(*net.TCPAddr).Port)
			if _, err := os.Stat(path); err == nil {
				t.Errorf("token file %s written", path)
			}
		})
	}
}

// RuntimeDir: SIGHTLINE_RUNTIME_DIR, else XDG_RUNTIME_DIR/sightline, else
// the user cache directory.
func TestRuntimeDir(t *testing.T) {
	cache, cacheErr := os.UserCacheDir()
	tests := []struct{ name, own, xdg, want string }{
		{"own", "/srv/run", "/run/user/1000", "/srv/run"},
		{"xdg", "", "/run/user/1000", filepath.Join("/run/user/1000", "sightline")},
		{"cache", "", "", filepath.Join(cache, "sightline", "run")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "cache" && cacheErr != nil {
				t.Skip(cacheErr)
			}
			t.Setenv(RuntimeDirEnv, tt.own)
			t.Setenv("XDG_RUNTIME_DIR", tt.xdg)
			got, err := RuntimeDir()
			if err != nil || got != tt.want {
				t.Errorf("RuntimeDir() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// A client never sends a token from a local file to another host.
func TestRuntimeTokenLoopbackOnly(t *testing.T) {
	dir := t.TempDir()
	for _, port := range []int{80, 8761} {
		path, _ := TokenFile(dir, port)
		if err := writeFileAtomic(path, []byte(`{"addr":"127.0.0.1:8761","pid":1,"token":"local-token-0123456789"}`)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		addr, token string
	}{
		{"127.0.0.1:8761", "local-token-0123456789"},
		{"localhost:8761", "local-token-0123456789"},
		{"[::1]:8761", "local-token-0123456789"},
		{"http://127.0.0.1", "local-token-0123456789"},
		{"192.0.2.1:8761", ""},
		{"admin.example:8761", ""},
		{"https://admin.example:8761", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c, err := NewClient(tt.addr, WithRuntimeToken(dir))
			if err != nil {
				t.Fatal(err)
			}
			if got, note := c.fileToken(); got != tt.token {
				t.Errorf("token from file = %q (%s), want %q", got, note, tt.token)
			}
		})
	}
}

// Unpublish leaves a file another process wrote over the handler's.
func TestUnpublishKeepsOthersFile(t *testing.T) {
	dir := t.TempDir()
	h, err := NewHandler(noEnv, WithRuntimeDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8761}
	path, err := h.Publish(addr)
	if err != nil {
		t.Fatal(err)
	}
	other := []byte(`{"addr":"127.0.0.1:8761","pid":1,"token":"other-token-0123456789"}`)
	if err := writeFileAtomic(path, other); err != nil {
		t.Fatal(err)
	}
	if err := h.Unpublish(addr); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != string(other) {
		t.Errorf("the other process's file: %q, %v", b, err)
	}
	// A Unix socket publishes nothing.
	if p, err := h.Publish(&net.UnixAddr{Name: "/run/x.sock", Net: "unix"}); p != "" || err != nil {
		t.Errorf("Publish(unix) = %q, %v", p, err)
	}
}

// Only a refusal for the token says where the token came from: a file
// endpoint refused with the right token does not blame the token file.
func TestTokenNoteOnlyForTokenRefusals(t *testing.T) {
	dir := t.TempDir()
	_, addr, stop := servePublished(t, dir)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	c, _ := NewClient(addr.String(), WithRuntimeToken(dir))
	defer c.CloseIdleConnections()
	err := c.AddTracingEndpoint(context.Background(), "motor", telemetry.Endpoint{Exporter: "file", URL: "/etc/x.jsonl"})
	e := asError(t, err)
	if e.StatusCode != 403 || e.TokenRefused() || strings.Contains(e.Message, dir) {
		t.Errorf("file endpoint refusal: %d %q (TokenRefused %v)", e.StatusCode, e.Message, e.TokenRefused())
	}
	for _, tt := range []struct {
		e    Error
		want bool
	}{
		{Error{StatusCode: 401, Message: "missing bearer token: ..."}, true},
		{Error{StatusCode: 403, Message: "wrong bearer token"}, true},
		{Error{StatusCode: 403, Message: "cross-origin request refused"}, false},
		{Error{StatusCode: 400, Message: "topics: ..."}, false},
	} {
		if got := tt.e.TokenRefused(); got != tt.want {
			t.Errorf("%d %q: TokenRefused = %v", tt.e.StatusCode, tt.e.Message, got)
		}
	}
}
