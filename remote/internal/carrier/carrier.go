// Package carrier carries the trace context in the headers of the remote
// protocol's requests for the proxy (remote) and the device host
// (remote/server), as propagation.HeaderCarrier does but without
// canonicalising the propagators' lower-case keys on every call: the W3C
// keys (traceparent, tracestate, baggage) map to their canonical header
// names without allocating.
package carrier

import (
	"net/http"
	"net/textproto"
)

// Header is an http.Header as a propagation.TextMapCarrier (and
// propagation.ValuesGetter, for baggage sent as several headers). It reads
// and writes exactly what propagation.HeaderCarrier does.
type Header http.Header

// canonical is key's canonical header name.
func canonical(key string) string {
	switch key {
	case "traceparent":
		return "Traceparent"
	case "tracestate":
		return "Tracestate"
	case "baggage":
		return "Baggage"
	}
	return textproto.CanonicalMIMEHeaderKey(key)
}

// Get is the first value of key ("" when there is none).
func (h Header) Get(key string) string {
	if v := h[canonical(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values is every value of key.
func (h Header) Values(key string) []string { return h[canonical(key)] }

// Set replaces the values of key with value.
func (h Header) Set(key, value string) { h[canonical(key)] = []string{value} }

// Keys lists the header names.
func (h Header) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}
