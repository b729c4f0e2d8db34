package remote

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// callerLocation is the code.* attributes of the first frame outside this
// package: the code that made the call. Results are cached by call path
// (resolving frames costs more than the rest of a span's attributes).
func callerLocation() []attribute.KeyValue {
	var pcs [12]uintptr
	runtime.Callers(3, pcs[:])
	if kv, ok := locations.Load(pcs); ok {
		return kv.([]attribute.KeyValue)
	}
	frames := runtime.CallersFrames(pcs[:])
	var kv []attribute.KeyValue
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, TracerName+".") {
			kv = []attribute.KeyValue{
				attribute.String("code.function.name", f.Function),
				attribute.String("code.file.path", f.File),
				attribute.Int("code.line.number", f.Line),
			}
			break
		}
		if !more {
			break
		}
	}
	if n := locationCount.Add(1); n <= maxLocations {
		locations.Store(pcs, kv)
	}
	return kv
}

// locations caches callerLocation, up to maxLocations call paths.
var (
	locations     sync.Map // [12]uintptr -> []attribute.KeyValue
	locationCount atomic.Int64
)

const maxLocations = 4096
