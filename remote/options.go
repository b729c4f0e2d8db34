package remote

import (
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// DialOption configures Dial. The options are the With* functions of this
// package; the interface is sealed.
type DialOption interface{ applyDial(*dialOptions) }

type dialOptions struct {
	tp      trace.TracerProvider
	prop    propagation.TextMapPropagator
	timeout time.Duration
	hc      *http.Client
	token   string
}

type dialOption func(*dialOptions)

func (f dialOption) applyDial(o *dialOptions) { f(o) }

// WithTracerProvider traces the proxy's calls with tp. Nil, or no option,
// means the global TracerProvider (otel.GetTracerProvider, read at Dial: a
// provider installed later still takes over, as the global one delegates).
// Calls made under a device's command context (package remote/server) are
// traced with that device's component instead (ContextWithTracing).
func WithTracerProvider(tp trace.TracerProvider) DialOption {
	return dialOption(func(o *dialOptions) { o.tp = tp })
}

// WithPropagator injects the trace context into every request with p. Nil,
// or no option, means the global propagator when a program installed one
// (otel.SetTextMapPropagator, or telemetry.Setup's WithGlobal), else W3C
// trace context and baggage; read at Dial.
func WithPropagator(p propagation.TextMapPropagator) DialOption {
	return dialOption(func(o *dialOptions) { o.prop = p })
}

// WithTimeout sets the deadline of calls whose context has none; 0, or no
// option, means DefaultTimeout. A negative duration is refused by Dial.
func WithTimeout(d time.Duration) DialOption {
	return dialOption(func(o *dialOptions) { o.timeout = d })
}

// WithHTTPClient makes requests with hc. Nil, or no option, means a client
// of the proxy's own: keep-alive connections, up to 16 idle per server, no
// timeout of its own (every call has a deadline).
func WithHTTPClient(hc *http.Client) DialOption {
	return dialOption(func(o *dialOptions) { o.hc = hc })
}

// WithAdminToken sends token ("Authorization: Bearer TOKEN") with the
// telemetry calls of DeviceProxy.Telemetry: every change needs the
// server's admin token, and so do reads over a non-loopback connection.
// "", or no option, means $SIGHTLINE_ADMIN_TOKEN, else, for a server on a
// loopback address, the token file the server published for its port in
// the user's runtime directory (as telemetry/admin's WithRuntimeToken).
// Device calls never send it.
func WithAdminToken(token string) DialOption {
	return dialOption(func(o *dialOptions) { o.token = strings.TrimSpace(token) })
}
