package remote

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys this package adds beside the semantic conventions.
const (
	AttrDeviceName    = attribute.Key("device.name")
	AttrDeviceClass   = attribute.Key("device.class")
	AttrClientHost    = attribute.Key("sightline.client.host")
	AttrClientPID     = attribute.Key("sightline.client.pid")
	AttrClientProgram = attribute.Key("sightline.client.program")
	AttrErrorCode     = attribute.Key("remote.error.code")
	AttrOperation     = attribute.Key("remote.operation")
)

// identity is who a client is; sent as headers with every call.
type identity struct {
	host, program string
	pid           int
}

func localIdentity() identity {
	host, _ := os.Hostname()
	return identity{host: host, pid: os.Getpid(), program: filepath.Base(os.Args[0])}
}

func (id identity) set(h http.Header) {
	h.Set(HeaderClientHost, id.host)
	h.Set(HeaderClientPID, strconv.Itoa(id.pid))
	h.Set(HeaderClientProgram, id.program)
}

// parseIdentity reads the client headers; all are optional, but a present
// one must be well formed.
func parseIdentity(h http.Header) (identity, *Error) {
	var id identity
	for _, f := range []struct {
		name string
		dst  *string
	}{{HeaderClientHost, &id.host}, {HeaderClientProgram, &id.program}} {
		v := h.Get(f.name)
		if len(v) > 256 || !utf8.ValidString(v) {
			return id, newError(CodeBadHeader, "header %s: %q is not UTF-8 text of at most 256 bytes", f.name, clipString(v))
		}
		*f.dst = v
	}
	if v := h.Get(HeaderClientPID); v != "" {
		pid, err := strconv.Atoi(v)
		if err != nil || pid <= 0 {
			return id, newError(CodeBadHeader, "header %s: %q is not a process id (a positive integer)", HeaderClientPID, clipString(v))
		}
		id.pid = pid
	}
	return id, nil
}

// maxTimeout is the longest Sightline-Timeout a server accepts.
const maxTimeout = 24 * time.Hour

// parseTimeout reads Sightline-Timeout; 0 means none was sent.
func parseTimeout(h http.Header) (time.Duration, *Error) {
	v := h.Get(HeaderTimeout)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > maxTimeout {
		return 0, newError(CodeBadHeader, "header %s: %q is not a duration between 0 and 24h (such as 2.5s)", HeaderTimeout, clipString(v))
	}
	return d, nil
}

func clipString(s string) string { return clip([]byte(s)) }

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

// callerLocation is the first frame outside this package: the code that
// made the call.
func callerLocation() (fn, file string, line int) {
	var pcs [16]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, TracerName+".") && f.Function != "" {
			return f.Function, f.File, f.Line
		}
		if !more {
			return "", "", 0
		}
	}
}
