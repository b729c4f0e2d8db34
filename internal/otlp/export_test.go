package otlp

import "net/http"

// HTTPHandler returns the receiver's OTLP/HTTP handler, which needs no
// listener, for the fuzz targets of package otlp_test.
func (r *Receiver) HTTPHandler() http.Handler { return r.httpHandler() }
