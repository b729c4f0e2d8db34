package otlphttpenc_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// lateCloser answers at once and reads and closes the request body only
// when told to, after the export has returned: what net/http does when
// the answer comes before its writer goroutine has finished with the body.
type lateCloser struct {
	bodies chan io.ReadCloser
}

func (l lateCloser) RoundTrip(r *http.Request) (*http.Response, error) {
	l.bodies <- r.Body
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{}, Body: http.NoBody}, nil
}

// TestExportsReuseTheirBuffers: an export whose request body the transport
// closes only after the export returned still gives its buffers back for
// the next export (when the body is closed), and garbage collections
// between exports do not lose them. Without that, each export
// grows a new request buffer (about twice the request's size allocated,
// by doubling); with it, an export allocates much less than one request.
func TestExportsReuseTheirBuffers(t *testing.T) {
	spans := otlpenctest.BenchSpans(512, false)
	size := len(otlpenc.AppendTraces(nil, spans))
	rt := lateCloser{bodies: make(chan io.ReadCloser, 1)}
	cfg := otlphttpenc.DefaultConfig("http://collector.invalid/v1/traces")
	cfg.HTTPClient = &http.Client{Transport: rt}
	exp := newExporter(t, cfg)
	ctx := context.Background()
	export := func() {
		t.Helper()
		if err := exp.ExportSpans(ctx, spans); err != nil {
			t.Fatal(err)
		}
		body := <-rt.bodies
		_, _ = io.Copy(io.Discard, body)
		_ = body.Close()
		// Collections between exports, as in a busy process: a sync.Pool
		// would be empty at the next export.
		runtime.GC()
		runtime.GC()
	}
	for range 3 { // fill the pool
		export()
	}
	const exports = 30
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range exports {
		export()
	}
	runtime.ReadMemStats(&after)
	perExport := (after.TotalAlloc - before.TotalAlloc) / exports
	if perExport > uint64(size)/2 {
		t.Errorf("an export of a %d-byte request allocated %d bytes on average: the request buffer is not reused", size, perExport)
	}
}
