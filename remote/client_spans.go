package remote

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// clientStart is the start option of every CLIENT span, made once: an
// option made per call, and the slice of options, would each be an
// allocation.
var clientStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// callDepth is how many frames of a call path (from the caller of
// Proxy.call up) tell one call path from another.
const callDepth = 12

// maxCached bounds the operations a proxy keeps a clientOp of, and, across
// them, the call paths it keeps attributes of; calls beyond are traced the
// same, with their name and attributes made anew.
const maxCached = 4096

// clientSpans makes the name and attributes of a proxy's CLIENT spans once
// per device operation and call path instead of on every call (a call at
// a thousand a second would otherwise build, and leave to the garbage
// collector, the same strings and attribute slices every time).
type clientSpans struct {
	server []attribute.KeyValue // server.address, server.port
	paths  atomic.Int64         // call paths cached, over all operations

	mu  sync.RWMutex
	ops map[opKey]*clientOp
}

type opKey struct{ dev, method string }

// clientOp is what the CLIENT spans of one operation of one device share.
type clientOp struct {
	name  string               // "<device>.<method>"
	attrs []attribute.KeyValue // rpc.*, device.name, server.*: len == cap

	mu    sync.RWMutex
	paths map[[callDepth]uintptr][]attribute.KeyValue // attrs, then code.* of the call path
}

func newClientSpans(server []attribute.KeyValue) *clientSpans {
	return &clientSpans{server: server, ops: map[opKey]*clientOp{}}
}

// op is the clientOp of dev's method.
func (cs *clientSpans) op(dev, method string) *clientOp {
	k := opKey{dev, method}
	cs.mu.RLock()
	o := cs.ops[k]
	cs.mu.RUnlock()
	if o != nil {
		return o
	}
	attrs := make([]attribute.KeyValue, 0, 4+len(cs.server))
	attrs = append(attrs, rpcSystem,
		attribute.String("rpc.service", dev),
		attribute.String("rpc.method", method),
		AttrDeviceName.String(dev))
	o = &clientOp{name: dev + "." + method, attrs: append(attrs, cs.server...)}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if prev := cs.ops[k]; prev != nil {
		return prev
	}
	if len(cs.ops) < maxCached {
		cs.ops[k] = o
	}
	return o
}

// attributes is the CLIENT span attributes of a call of o: o's, then the
// code.* attributes of the first frame outside this package, the code
// that made the call. Call it from Proxy.call only: it skips the frames
// of itself and of call. The slice is shared: do not change it.
func (cs *clientSpans) attributes(o *clientOp) []attribute.KeyValue {
	var pcs [callDepth]uintptr
	runtime.Callers(3, pcs[:])
	o.mu.RLock()
	kv, ok := o.paths[pcs]
	o.mu.RUnlock()
	if ok {
		return kv
	}
	frames := pcs // CallersFrames keeps its slice: a copy, so pcs stays on the stack
	loc := location(frames[:])
	kv = make([]attribute.KeyValue, 0, len(o.attrs)+len(loc))
	kv = append(append(kv, o.attrs...), loc...)
	if cs.paths.Add(1) <= maxCached {
		o.mu.Lock()
		if o.paths == nil {
			o.paths = map[[callDepth]uintptr][]attribute.KeyValue{}
		}
		o.paths[pcs] = kv
		o.mu.Unlock()
	}
	return kv
}

// location is the code.* attributes of the first frame of pcs outside
// this package (none when every frame is inside).
func location(pcs []uintptr) []attribute.KeyValue {
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, TracerName+".") {
			return []attribute.KeyValue{
				attribute.String("code.function.name", f.Function),
				attribute.String("code.file.path", f.File),
				attribute.Int("code.line.number", f.Line),
			}
		}
		if !more {
			return nil
		}
	}
}
