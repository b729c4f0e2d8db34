package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// DefaultTimeout is the deadline of a call whose context has none.
const DefaultTimeout = 10 * time.Second

// Proxy is a client of one device server. Its calls are traced with CLIENT
// spans of the client's own component (service.name from
// SIGHTLINE_TELEMETRY_CLIENT_SERVICE_NAME, default sightline.client) or of
// the component given with WithTelemetry. Close it when done.
type Proxy struct {
	base    string // http://host:port
	hc      *http.Client
	comp    *telemetry.Component
	owned   bool
	user    trace.Tracer
	kernel  trace.Tracer
	prop    propagation.TextMapPropagator
	timeout time.Duration
	// idHeaders are the client identity headers, made once.
	idHeaders http.Header
	// serverAttrs are server.address and server.port.
	serverAttrs []attribute.KeyValue
	admin       *admin.Client
	follow      context.Context // ends on Close: stops operation followers
	stop        context.CancelFunc
	wg          sync.WaitGroup
	closeErr    error
	once        sync.Once
}

// DialOption configures Dial.
type DialOption func(*dialOptions)

type dialOptions struct {
	comp    *telemetry.Component
	timeout time.Duration
	hc      *http.Client
	token   string
	getenv  telemetry.Getenv
}

// WithTelemetry traces the proxy's calls with comp (the caller keeps
// ownership) instead of a client component of its own.
func WithTelemetry(comp *telemetry.Component) DialOption {
	return func(o *dialOptions) { o.comp = comp }
}

// WithTimeout sets the deadline of calls whose context has none (default
// DefaultTimeout).
func WithTimeout(d time.Duration) DialOption { return func(o *dialOptions) { o.timeout = d } }

// WithHTTPClient sets the HTTP client (default: keep-alive connections,
// up to 16 idle per server).
func WithHTTPClient(hc *http.Client) DialOption { return func(o *dialOptions) { o.hc = hc } }

// WithToken sets the admin token for telemetry changes (DeviceTelemetry).
// Default: SIGHTLINE_ADMIN_TOKEN (read through WithClientEnv's getenv, if
// given), else, for a server on a loopback address, the token file the
// server published in the user's runtime directory (admin.WithRuntimeToken).
func WithToken(token string) DialOption { return func(o *dialOptions) { o.token = token } }

// WithClientEnv reads the client component's environment, and
// SIGHTLINE_ADMIN_TOKEN, through getenv.
func WithClientEnv(getenv telemetry.Getenv) DialOption {
	return func(o *dialOptions) { o.getenv = getenv }
}

// ClientServiceNameEnv names the client component's service.name.
const ClientServiceNameEnv = telemetry.ClientServiceNameEnv

// Dial makes a proxy for the device server at addr ("host:port" or
// "http://host:port"). It does not connect: the first call does. Without
// WithTelemetry it sets up a client component from the environment; like
// telemetry.Setup, it returns a usable Proxy together with a
// *telemetry.ConfigError when some settings fell back to defaults.
func Dial(addr string, opts ...DialOption) (*Proxy, error) {
	base, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	var o dialOptions
	for _, f := range opts {
		f(&o)
	}
	if o.timeout < 0 {
		return nil, fmt.Errorf("dial %s: timeout %v: want 0 (the default %v) or more", addr, o.timeout, DefaultTimeout)
	}
	p := &Proxy{base: base, timeout: o.timeout, comp: o.comp, idHeaders: http.Header{}}
	localIdentity().set(p.idHeaders)
	if u, err := url.Parse(base); err == nil {
		port, _ := strconv.Atoi(u.Port())
		p.serverAttrs = []attribute.KeyValue{attribute.String("server.address", u.Hostname()), attribute.Int("server.port", port)}
	}
	if p.timeout == 0 {
		p.timeout = DefaultTimeout
	}
	p.hc = o.hc
	if p.hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		p.hc = &http.Client{Transport: tr}
	}
	var cfgErr error
	if p.comp == nil {
		getenv := o.getenv
		if getenv == nil {
			getenv = os.LookupEnv
		}
		name := telemetry.ClientServiceName(getenv)
		p.comp, cfgErr = telemetry.Setup(context.Background(), telemetry.WithComponent(name),
			telemetry.WithServiceName(name), telemetry.WithEnv(getenv))
		if p.comp == nil {
			return nil, fmt.Errorf("dial %s: client telemetry: %w", addr, cfgErr)
		}
		p.owned = true
	}
	p.user = p.comp.Tracer(TracerName)
	p.kernel = p.comp.Tracer(TracerName, topic.Kernel.TracerOption())
	p.prop = p.comp.Propagator()
	aopts := []admin.ClientOption{admin.WithHTTPClient(p.hc), admin.WithRuntimeToken("")}
	if o.token == "" {
		getenv := o.getenv
		if getenv == nil {
			getenv = os.LookupEnv
		}
		o.token, _ = getenv(admin.TokenEnv)
	}
	if o.token != "" {
		aopts = append(aopts, admin.WithClientToken(o.token))
	}
	if p.admin, err = admin.NewClient(base, aopts...); err != nil {
		p.Close(context.Background())
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	p.follow, p.stop = context.WithCancel(context.Background())
	return p, cfgErr
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

// Telemetry is the component that traces the proxy's calls; its Control
// changes the client's telemetry at runtime.
func (p *Proxy) Telemetry() *telemetry.Component { return p.comp }

// Close stops following operations (their Statuses end cancelled), closes
// idle connections and shuts the client component down if the proxy set it
// up.
func (p *Proxy) Close(ctx context.Context) error {
	p.once.Do(func() {
		if p.stop != nil {
			p.stop()
		}
		p.wg.Wait()
		p.hc.CloseIdleConnections()
		if p.owned {
			p.closeErr = p.comp.Shutdown(ctx)
		}
	})
	return p.closeErr
}

// Device is a proxy for one device on the server. It does not check that
// the device exists: Ping does.
func (p *Proxy) Device(name string) *DeviceProxy {
	return &DeviceProxy{p: p, name: name}
}

// Devices lists the devices on the server.
func (p *Proxy) Devices(ctx context.Context) ([]DeviceInfo, error) {
	var out deviceList
	err := p.call(ctx, "dserver", "list_devices", http.MethodGet, PathPrefix+"/devices", nil, &out, false)
	return out.Devices, err
}

// errClosed is returned by calls on a closed proxy.
var errClosed = errors.New("proxy is closed")
