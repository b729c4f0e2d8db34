package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
)

// maxTokenFile bounds what ReadTokenFile reads, in bytes.
const maxTokenFile = 64 << 10

// TokenInfo is the content of a token file: where a handler serves, which
// process serves it, and the bearer token its changes need.
type TokenInfo struct {
	// Addr is the address served on, e.g. "127.0.0.1:8761".
	Addr string `json:"addr"`
	// PID is the serving process's id.
	PID int `json:"pid"`
	// Token is the bearer token (configured or generated).
	Token string `json:"token"`
}

// RuntimeDir returns the directory that holds the token files:
// $SIGHTLINE_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sightline, else
// os.UserCacheDir()/sightline/run. It reads the process environment and
// creates nothing.
func RuntimeDir() (string, error) {
	if d := os.Getenv(RuntimeDirEnv); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sightline"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("telemetry admin: runtime directory: set %s or XDG_RUNTIME_DIR: %w", RuntimeDirEnv, err)
	}
	return filepath.Join(d, "sightline", "run"), nil
}

// TokenFile is the path of the token file for a port in the runtime
// directory dir ("" means RuntimeDir()): dir/admin-PORT.json.
func TokenFile(dir string, port int) (string, error) {
	if dir == "" {
		var err error
		if dir, err = RuntimeDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "admin-"+strconv.Itoa(port)+".json"), nil
}

// ReadTokenFile reads the token file at path.
func ReadTokenFile(path string) (TokenInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("telemetry admin: token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return TokenInfo{}, fmt.Errorf("telemetry admin: token file %s: %w", path, err)
	}
	var info TokenInfo
	if err := json.Unmarshal(b, &info); err != nil || info.Token == "" {
		return TokenInfo{}, fmt.Errorf("telemetry admin: token file %s holds no token: want {\"addr\",\"pid\",\"token\"}", path)
	}
	return info, nil
}

// portOf returns the port of a TCP address; ok is false for others (a
// Unix socket).
func portOf(a net.Addr) (int, bool) {
	if t, isTCP := a.(*net.TCPAddr); isTCP && t != nil {
		return t.Port, true
	}
	if a == nil {
		return 0, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	return int(ap.Port()), err == nil
}

// Publish writes the handler's token file for addr, the address it serves
// on: RuntimeDir()/admin-PORT.json (or the WithRuntimeDir directory), mode
// 0600, written atomically, holding TokenInfo. The directory is created
// 0700 if missing, and must belong to the current user and not be group or
// world writable. Serve and ListenAndServe publish by themselves; a server
// that mounts the Handler in its own mux calls Publish once it listens and
// Unpublish when it stops. A non-TCP address (a Unix socket) publishes
// nothing and returns "".
func (h *Handler) Publish(addr net.Addr) (string, error) {
	port, ok := portOf(addr)
	if !ok {
		return "", nil
	}
	dir := h.runtimeDir
	if dir == "" {
		var err error
		if dir, err = RuntimeDir(); err != nil {
			return "", err
		}
	}
	if err := ensurePrivateDir(dir); err != nil {
		return "", err
	}
	path, _ := TokenFile(dir, port)
	b, err := json.Marshal(TokenInfo{Addr: addr.String(), PID: os.Getpid(), Token: h.token})
	if err != nil {
		return "", fmt.Errorf("telemetry admin: token file %s: %w", path, err)
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return "", err
	}
	h.mu.Lock()
	h.published[path] = true
	h.mu.Unlock()
	return path, nil
}

// Unpublish removes the token file Publish wrote for addr, unless another
// process has replaced it since. Removing one already gone is no error.
func (h *Handler) Unpublish(addr net.Addr) error {
	port, ok := portOf(addr)
	if !ok {
		return nil
	}
	dir := h.runtimeDir
	if dir == "" {
		var err error
		if dir, err = RuntimeDir(); err != nil {
			return err
		}
	}
	path, _ := TokenFile(dir, port)
	h.mu.Lock()
	mine := h.published[path]
	delete(h.published, path)
	h.mu.Unlock()
	if !mine {
		return nil
	}
	info, err := ReadTokenFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && (info.PID != os.Getpid() || !tokensEqual(info.Token, h.token)) {
		return nil // a newer server on the same port published its own
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("telemetry admin: removing the token file: %w", err)
	}
	return nil
}

// writeFileAtomic writes b to path through a 0600 temporary file in the
// same directory, renamed over path: a reader sees the old file or the
// whole new one, never a part.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".admin-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("telemetry admin: token file %s: %w", path, err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("telemetry admin: token file %s: writing %s: %w", path, tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("telemetry admin: token file %s: %w", path, err)
	}
	return nil
}

// ensurePrivateDir creates dir (0700, with its parents) if missing and
// checks that it is a directory of the current user that nobody else may
// write to.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("telemetry admin: runtime directory %s (set %s to move it): %w", dir, RuntimeDirEnv, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("telemetry admin: runtime directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("telemetry admin: runtime directory %s is not a directory (set %s to another)", dir, RuntimeDirEnv)
	}
	if err := checkPrivate(fi); err != nil {
		return fmt.Errorf("telemetry admin: runtime directory %s: %w; want a directory of your own that only you can write "+
			"(chmod 700 it, or set %s to another)", dir, err, RuntimeDirEnv)
	}
	return nil
}
