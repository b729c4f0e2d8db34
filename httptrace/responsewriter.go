package httptrace

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// responseRecorder notes the status code and the body size a handler
// writes, for the ResponseHook. It is used only when there is one.
//
// It implements http.Flusher, http.Hijacker and io.ReaderFrom by passing
// them on (Hijack through http.ResponseController, so it reports
// http.ErrNotSupported when the underlying writer cannot), and Unwrap for
// http.ResponseController's other methods.
type responseRecorder struct {
	http.ResponseWriter
	status int // 0: not written yet
	size   int64
}

func (w *responseRecorder) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *responseRecorder) WriteHeader(code int) {
	// 1xx responses other than 101 are informational: the final status
	// comes later.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols || code < 100) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

func (w *responseRecorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	// io.Copy uses the underlying writer's ReadFrom (sendfile) when it has
	// one.
	n, err := io.Copy(w.ResponseWriter, r)
	w.size += n
	return n, err
}

func (w *responseRecorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *responseRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
