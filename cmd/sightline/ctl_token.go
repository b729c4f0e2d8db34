package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/sightline-dev/sightline/telemetry/admin"
)

// ctlTokenHelp is the --token flag's help: where ctl finds the token.
const ctlTokenHelp = "bearer `TOKEN` for changes (default $" + admin.TokenEnv +
	", else the server's token file admin-PORT.json in the runtime directory: $" + admin.RuntimeDirEnv +
	", else $XDG_RUNTIME_DIR/sightline, else the user cache directory/sightline/run)"

// ctlClientOptions resolves ctl's token: --token, else
// SIGHTLINE_ADMIN_TOKEN (the flag's default), else the token file the
// server published for --addr's port (read for loopback addresses only).
func ctlClientOptions(token string) []admin.ClientOption {
	if token != "" {
		return []admin.ClientOption{admin.WithClientToken(token)}
	}
	return []admin.ClientOption{admin.WithRuntimeToken("")}
}

// authHint tells what to do when the server refused ctl's token; the
// error itself names the token file that was tried.
func authHint(w io.Writer, err error) {
	var e *admin.Error
	if !errors.As(err, &e) || !e.TokenRefused() {
		return // refused for something else (a file endpoint outside, say)
	}
	fmt.Fprintf(w, "hint: changes need the server's token: run ctl as the user who runs the server (it reads the token file), "+
		"or pass --token or set %s\n", admin.TokenEnv)
}
