// Package netlimit bounds the connections a server holds open at once.
//
// Every open connection costs a goroutine and buffers (about 24 KiB for
// HTTP/1.1 or HTTP/2 in Go's servers) whether or not it sends anything, so
// without a bound a peer that opens connections and keeps them, slowly or
// idly, grows the process without limit. A [Limit] is shared by the
// listeners it wraps; a connection accepted past it is closed at once and
// counted: its client sees the connection end and retries, as it would
// after a restart.
package netlimit

import (
	"net"
	"sync"
	"sync/atomic"
)

// Limit counts the connections open through the listeners it wraps.
type Limit struct {
	max     int64
	open    atomic.Int64
	refused atomic.Int64
}

// New returns a limit of n connections open at once; n < 1 means 1.
func New(n int) *Limit { return &Limit{max: int64(max(n, 1))} }

// Listen wraps l so that its connections count against the limit.
func (lim *Limit) Listen(l net.Listener) net.Listener { return &listener{Listener: l, lim: lim} }

// Max is the limit.
func (lim *Limit) Max() int64 { return lim.max }

// Open is how many connections are open now.
func (lim *Limit) Open() int64 { return lim.open.Load() }

// Refused counts the connections closed at once because the limit was
// reached.
func (lim *Limit) Refused() int64 { return lim.refused.Load() }

// take reserves a place; false when the limit is reached.
func (lim *Limit) take() bool {
	for {
		cur := lim.open.Load()
		if cur >= lim.max {
			return false
		}
		if lim.open.CompareAndSwap(cur, cur+1) {
			return true
		}
	}
}

type listener struct {
	net.Listener
	lim *Limit
}

// Accept returns the next connection that fits in the limit, closing the
// ones that do not.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.lim.take() {
			return &conn{Conn: c, lim: l.lim}, nil
		}
		l.lim.refused.Add(1)
		_ = c.Close()
	}
}

// conn gives its place back when closed (once, however often it is
// closed).
type conn struct {
	net.Conn
	lim  *Limit
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.lim.open.Add(-1) })
	return err
}
