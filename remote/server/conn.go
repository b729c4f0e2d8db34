package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/remote"
)

// serverStart is the start option of every SERVER span, made once.
var serverStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}

// maxConnSpans is how many operations a connection keeps the span name
// and attributes of (the most recent ones).
const maxConnSpans = 8

// conn is what a server keeps about one client connection (Serve puts it
// in the connection's context): the id of the goroutine that serves it,
// and the name and attributes of the SERVER spans of the operations it
// called last, so a client calling the same operation a thousand times a
// second does not have its identity headers parsed, its address split
// and its span's attributes built a thousand times.
type conn struct {
	goroutine atomic.Int64

	mu    sync.Mutex
	spans [maxConnSpans]*serverSpan
	next  int // the slot the next new serverSpan replaces
}

type connKey struct{}

// withConn gives a connection's context its conn.
func withConn(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, new(conn))
}

// goroutineID is the id of the goroutine serving c: net/http serves the
// requests of an HTTP/1.1 connection one after another on one goroutine,
// so it is read once per connection (reading it costs a stack trace).
func (c *conn) goroutineID() int64 {
	if id := c.goroutine.Load(); id != 0 {
		return id
	}
	id := goroutineID()
	c.goroutine.Store(id)
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

// serverSpan is the name and attributes of the SERVER spans of one
// operation called with one set of client headers over one connection.
// It does not change once made.
type serverSpan struct {
	// What it is of.
	dev, method, class string
	remoteAddr         string
	hdr                clientHeaders

	name      string               // "<class>.<method>"
	id        identity             // parsed from hdr
	goroutine int64                // serving the connection; 0: unknown (no conn)
	attrs     []attribute.KeyValue // made when cached, else nil (attributes)
}

// clientHeaders are the raw values of the client identity headers.
type clientHeaders struct{ host, pid, program string }

func clientHeadersOf(h http.Header) clientHeaders {
	return clientHeaders{h.Get(remote.HeaderClientHost), h.Get(remote.HeaderClientPID), h.Get(remote.HeaderClientProgram)}
}

func (ss *serverSpan) matches(dev, method, class, remoteAddr string, hdr clientHeaders) bool {
	return ss.dev == dev && ss.method == method && ss.class == class && ss.remoteAddr == remoteAddr && ss.hdr == hdr
}

// serverSpanOf is the serverSpan of a call of dev's method (class) from r,
// the connection's cached one when it has it, else a new one (cached when
// the connection has a conn and the headers are good). It fails for
// malformed identity headers (the span has a name, no identity).
func serverSpanOf(r *http.Request, dev, method, class string) (*serverSpan, *remote.Error) {
	hdr := clientHeadersOf(r.Header)
	c, _ := r.Context().Value(connKey{}).(*conn)
	if c != nil {
		c.mu.Lock()
		for _, ss := range c.spans {
			if ss != nil && ss.matches(dev, method, class, r.RemoteAddr, hdr) {
				c.mu.Unlock()
				return ss, nil
			}
		}
		c.mu.Unlock()
	}
	ss := &serverSpan{dev: dev, method: method, class: class, remoteAddr: r.RemoteAddr, hdr: hdr, name: class + "." + method}
	if c != nil {
		ss.goroutine = c.goroutineID()
	}
	id, herr := parseIdentity(hdr)
	if herr != nil {
		return ss, herr
	}
	ss.id = id
	if c != nil {
		ss.attrs = ss.build(true)
		c.mu.Lock()
		c.spans[c.next] = ss
		c.next = (c.next + 1) % maxConnSpans
		c.mu.Unlock()
	}
	return ss, nil
}

// attributes is the SERVER span's attributes: the cached ones, or, for a
// call outside Serve (no conn: no thread.id) or with malformed identity
// headers (herr: no sightline.client.*), made now. The slice is shared: do
// not change it.
func (ss *serverSpan) attributes(herr *remote.Error) []attribute.KeyValue {
	if ss.attrs != nil {
		return ss.attrs
	}
	return ss.build(herr == nil)
}

// build makes the attributes: the operation's, thread.id (when known), the
// client's address and, with withID, identity.
func (ss *serverSpan) build(withID bool) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 11)
	kv = append(kv, rpcSystem,
		attribute.String("rpc.service", ss.dev),
		attribute.String("rpc.method", ss.method),
		remote.AttrDeviceName.String(ss.dev),
		remote.AttrDeviceClass.String(ss.class))
	if ss.goroutine != 0 {
		kv = append(kv, attribute.Int64("thread.id", ss.goroutine))
	}
	if host, port, err := net.SplitHostPort(ss.remoteAddr); err == nil {
		p, _ := strconv.Atoi(port)
		kv = append(kv, attribute.String("client.address", host), attribute.Int("client.port", p))
	}
	if withID {
		kv = append(kv, remote.AttrClientHost.String(ss.id.host), remote.AttrClientPID.Int(ss.id.pid), remote.AttrClientProgram.String(ss.id.program))
	}
	return kv
}
