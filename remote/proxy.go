package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// DefaultTimeout is the deadline of a call whose context has none.
const DefaultTimeout = 10 * time.Second

// Proxy is a client of one device server. Its calls are traced with CLIENT
// spans of the TracerProvider given with WithTracerProvider (else the
// global one), or, under a device's command context, of that device's
// component (ContextWithTracing). It is safe for concurrent use. Shut it
// down when done.
type Proxy struct {
	base    string // http://host:port
	hc      *http.Client
	tracing *Tracing
	timeout time.Duration
	token   string // WithAdminToken
	// idHeaders are the client identity headers, made once.
	idHeaders http.Header
	// spans makes the names and attributes of the CLIENT spans, once per
	// operation and call path.
	spans  *clientSpans
	follow context.Context // ends on Shutdown: stops operation followers
	stop   context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Dial makes a proxy for the device server at addr ("host:port" or
// "http://host:port"). It does not connect: the first call does. It fails
// only for a bad address or option.
func Dial(addr string, opts ...DialOption) (*Proxy, error) {
	base, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	var o dialOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyDial(&o)
		}
	}
	if o.timeout < 0 {
		return nil, fmt.Errorf("dial %s: timeout %v: want 0 (the default %v) or more", addr, o.timeout, DefaultTimeout)
	}
	p := &Proxy{base: base, timeout: o.timeout, token: o.token, hc: o.hc, tracing: NewTracing(o.tp, o.prop), idHeaders: http.Header{}}
	localIdentity().set(p.idHeaders)
	var serverAttrs []attribute.KeyValue
	if u, err := url.Parse(base); err == nil {
		port, _ := strconv.Atoi(u.Port())
		serverAttrs = []attribute.KeyValue{attribute.String("server.address", u.Hostname()), attribute.Int("server.port", port)}
	}
	p.spans = newClientSpans(serverAttrs)
	if p.timeout == 0 {
		p.timeout = DefaultTimeout
	}
	if p.hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		p.hc = &http.Client{Transport: tr}
	}
	p.follow, p.stop = context.WithCancel(context.Background())
	return p, nil
}

// parseAddr accepts host:port or http(s)://host:port (no path, query or
// user).
func parseAddr(addr string) (string, error) {
	raw := addr
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("device server address %q: %w", addr, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("device server address %q: scheme %q: want http or https", addr, u.Scheme)
	case u.Host == "" || u.Port() == "":
		return "", fmt.Errorf("device server address %q: want host:port", addr)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || u.Fragment != "":
		return "", fmt.Errorf("device server address %q: want only scheme://host:port", addr)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Addr is the server's base URL.
func (p *Proxy) Addr() string { return p.base }

// Shutdown stops following operations (their Statuses end cancelled) and
// closes idle connections. It waits for the operation followers to end,
// up to ctx's deadline (then it returns ctx's error). Calls after Shutdown
// fail with ErrUnreachable. Shutting down twice is harmless.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.once.Do(p.stop)
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("shut down proxy of %s: wait for operation followers: %w", p.base, ctx.Err())
	}
	p.hc.CloseIdleConnections()
	return nil
}

// Device is a proxy for one device on the server. It does not check that
// the device exists: Ping does.
func (p *Proxy) Device(name string) *DeviceProxy {
	return &DeviceProxy{p: p, name: name}
}

// Devices lists the devices on the server.
func (p *Proxy) Devices(ctx context.Context) ([]DeviceInfo, error) {
	var out DeviceList
	err := p.call(ctx, "dserver", "list_devices", http.MethodGet, PathPrefix+"/devices", nil, &out, false)
	return out.Devices, err
}

// errClosed is returned by calls on a proxy that was shut down.
var errClosed = errors.New("proxy is shut down")
