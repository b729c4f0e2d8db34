package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// adminTokenEnv holds the admin token of the device servers a program
// controls, when WithAdminToken does not give one (as for sightline ctl).
const adminTokenEnv = "SIGHTLINE_ADMIN_TOKEN"

// maxTokenFile bounds the token file read, in bytes.
const maxTokenFile = 64 << 10

// adminToken is the bearer token telemetry changes send: WithAdminToken's,
// else $SIGHTLINE_ADMIN_TOKEN, else, for a server on a loopback address,
// the token it published for its port in the runtime directory of the user
// (the file telemetry/admin's WithRuntimeToken reads: admin-PORT.json in
// $SIGHTLINE_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sightline, else the user
// cache directory's sightline/run). note says, when there is none, why.
func (p *Proxy) adminToken() (token, note string) {
	if p.token != "" {
		return p.token, ""
	}
	if v := strings.TrimSpace(os.Getenv(adminTokenEnv)); v != "" {
		return v, ""
	}
	u, err := url.Parse(p.base)
	if err != nil {
		return "", ""
	}
	if h := u.Hostname(); h != "localhost" {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return "", "no admin token given (remote.WithAdminToken, " + adminTokenEnv + "); token files are read only for loopback servers"
		}
	}
	path, err := tokenFile(u.Port())
	if err != nil {
		return "", "no admin token given and no token file: " + err.Error()
	}
	tok, err := readTokenFile(path)
	if err != nil {
		return "", "no admin token given, and " + err.Error()
	}
	return tok, ""
}

// tokenFile is the path of the token file for port.
func tokenFile(port string) (string, error) {
	if d := os.Getenv("SIGHTLINE_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "admin-"+port+".json"), nil
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sightline", "admin-"+port+".json"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("runtime directory: set SIGHTLINE_RUNTIME_DIR or XDG_RUNTIME_DIR: %w", err)
	}
	return filepath.Join(d, "sightline", "run", "admin-"+port+".json"), nil
}

// readTokenFile reads the token of the token file at path.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	var info struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &info); err != nil || info.Token == "" {
		return "", fmt.Errorf(`token file %s holds no token: want {"addr","pid","token"}`, path)
	}
	return info.Token, nil
}
