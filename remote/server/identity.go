package server

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sightline-dev/sightline/remote"
)

// identity is who a client is, from the headers of its call.
type identity struct {
	host, program string
	pid           int
}

// parseIdentity reads the client headers; all are optional, but a present
// one must be well formed.
func parseIdentity(h clientHeaders) (identity, *remote.Error) {
	var id identity
	for _, f := range []struct {
		name string
		v    string
		dst  *string
	}{{remote.HeaderClientHost, h.host, &id.host}, {remote.HeaderClientProgram, h.program, &id.program}} {
		if len(f.v) > 256 || !utf8.ValidString(f.v) {
			return id, newError(remote.CodeBadHeader, "header %s: %q is not UTF-8 text of at most 256 bytes", f.name, clipString(f.v))
		}
		*f.dst = f.v
	}
	if v := h.pid; v != "" {
		pid, err := strconv.Atoi(v)
		if err != nil || pid <= 0 {
			return id, newError(remote.CodeBadHeader, "header %s: %q is not a process id (a positive integer)", remote.HeaderClientPID, clipString(v))
		}
		id.pid = pid
	}
	return id, nil
}

// maxTimeout is the longest Sightline-Timeout a server accepts.
const maxTimeout = 24 * time.Hour

// parseTimeout reads Sightline-Timeout; 0 means none was sent.
func parseTimeout(h http.Header) (time.Duration, *remote.Error) {
	v := h.Get(remote.HeaderTimeout)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > maxTimeout {
		return 0, newError(remote.CodeBadHeader, "header %s: %q is not a duration between 0 and 24h (such as 2.5s)", remote.HeaderTimeout, clipString(v))
	}
	return d, nil
}
