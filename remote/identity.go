package remote

import (
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys this package (and remote/server) adds beside the semantic
// conventions.
const (
	AttrDeviceName    = attribute.Key("device.name")
	AttrDeviceClass   = attribute.Key("device.class")
	AttrClientHost    = attribute.Key("sightline.client.host")
	AttrClientPID     = attribute.Key("sightline.client.pid")
	AttrClientProgram = attribute.Key("sightline.client.program")
	AttrErrorCode     = attribute.Key("remote.error.code")
	AttrOperation     = attribute.Key("remote.operation")
)

// rpcSystem is the rpc.system attribute of client spans (remote/server
// gives its server spans the same).
var rpcSystem = attribute.String("rpc.system", "sightline.remote")

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

// clip shortens a value for an error message.
func clip(b []byte) string {
	const n = 80
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
