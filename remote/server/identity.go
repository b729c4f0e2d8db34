package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
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
func parseIdentity(h http.Header) (identity, *remote.Error) {
	var id identity
	for _, f := range []struct {
		name string
		dst  *string
	}{{remote.HeaderClientHost, &id.host}, {remote.HeaderClientProgram, &id.program}} {
		v := h.Get(f.name)
		if len(v) > 256 || !utf8.ValidString(v) {
			return id, newError(remote.CodeBadHeader, "header %s: %q is not UTF-8 text of at most 256 bytes", f.name, clipString(v))
		}
		*f.dst = v
	}
	if v := h.Get(remote.HeaderClientPID); v != "" {
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

type connGoroutineKey struct{}

// withConnGoroutine gives a connection's context a slot for the id of the
// goroutine that serves it: net/http serves the requests of an HTTP/1.1
// connection one after another on one goroutine, so the id is read once
// per connection (reading it costs a stack trace).
func withConnGoroutine(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connGoroutineKey{}, new(atomic.Int64))
}

// connGoroutine is the id of the goroutine serving the request's
// connection, or 0 when the server was not started by Serve.
func connGoroutine(ctx context.Context) int64 {
	slot, ok := ctx.Value(connGoroutineKey{}).(*atomic.Int64)
	if !ok {
		return 0
	}
	if id := slot.Load(); id != 0 {
		return id
	}
	id := goroutineID()
	slot.Store(id)
	return id
}

// goroutineID is the running goroutine's id, from its stack header
// ("goroutine 42 [running]:"). It is what the server span reports as
// thread.id: Go has no threads to speak of, and the goroutine is what
// serves the call.
func goroutineID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		if id, err := strconv.ParseInt(string(b[:i]), 10, 64); err == nil {
			return id
		}
	}
	return 0
}
