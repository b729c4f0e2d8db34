package httptrace

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
)

// activeMethods are the values of http.request.method on
// http.server.active_requests: the standard methods, then "_OTHER" for any
// other, as otelhttp puts them on its own metrics.
var activeMethods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
	"_OTHER",
}

// activeAddOptions holds, for each method of activeMethods and each scheme
// (http, https), the add options of its attribute set, made once so that
// counting a request allocates nothing.
var activeAddOptions = sync.OnceValue(func() *[len(activeMethods)][2][]metric.AddOption {
	var opts [len(activeMethods)][2][]metric.AddOption
	for i, m := range activeMethods {
		for j, scheme := range [2]string{"http", "https"} {
			set := attribute.NewSet(semconv.HTTPRequestMethodKey.String(m), semconv.URLScheme(scheme))
			opts[i][j] = []metric.AddOption{metric.WithAttributeSet(set)}
		}
	}
	return &opts
})

// activeMethodIndex is the index in activeMethods of the method, upper-cased.
func activeMethodIndex(method string) int {
	for i, m := range activeMethods[:len(activeMethods)-1] {
		if method == m {
			return i
		}
	}
	upper := strings.ToUpper(method)
	if upper != method {
		for i, m := range activeMethods[:len(activeMethods)-1] {
			if upper == m {
				return i
			}
		}
	}
	return len(activeMethods) - 1
}

// activeRequests counts the server requests in progress in the
// http.server.active_requests up-down counter of the semantic conventions,
// with their http.request.method and url.scheme (the attributes the
// conventions require; the route is not known before routing).
type activeRequests struct {
	counter metric.Int64UpDownCounter
	opts    *[len(activeMethods)][2][]metric.AddOption
}

// newActiveRequests makes the instrument with mp's meter of scope ScopeName;
// a nil mp is the global meter provider.
func newActiveRequests(mp metric.MeterProvider) (*activeRequests, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	inst, err := httpconv.NewServerActiveRequests(mp.Meter(ScopeName))
	if err != nil {
		return nil, fmt.Errorf("httptrace: Middleware: creating the %s instrument: %w", inst.Name(), err)
	}
	return &activeRequests{counter: inst.Inst(), opts: activeAddOptions()}, nil
}

// addOptions returns the add options of r's method and scheme. The scheme
// is https when the request came over TLS, as otelhttp decides it.
func (a *activeRequests) addOptions(r *http.Request) []metric.AddOption {
	scheme := 0
	if r.TLS != nil {
		scheme = 1
	}
	return a.opts[activeMethodIndex(r.Method)][scheme]
}
