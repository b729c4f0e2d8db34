package otlp

import "net/http"

// HTTPHandler returns the receiver's OTLP/HTTP handler, which needs no
// listener, for the fuzz targets of package otlp_test.
func (r *Receiver) HTTPHandler() http.Handler { return r.httpHandler() }

// stopping reports whether Shutdown has begun, for tests that act while it
// is under way.
func (r *Receiver) stopping() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state == stateStopped
}
