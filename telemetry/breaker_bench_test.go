package telemetry

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
)

// hungListener accepts connections on loopback and never answers; it stops
// with the benchmark.
func hungListener(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(io.Discard, c) })
		}
	})
	b.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// BenchmarkSpanFailingEndpoint is span start+end with the simple processor
// to a collector that accepts connections and never answers, once the
// endpoint is failing: the span is kept to probe with (replacing, and
// dropping, the one kept before) without touching the network. Compare with
// BenchmarkSpan/sightline (a memory endpoint).
func BenchmarkSpanFailingEndpoint(b *testing.B) {
	for _, exporter := range []string{"http", "grpc"} {
		b.Run(exporter, func(b *testing.B) {
			addr := hungListener(b)
			url := "http://" + addr
			if exporter == "grpc" {
				url = "grpc://" + addr
			}
			c, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) {
				v, ok := map[string]string{
					"SIGHTLINE_TELEMETRY_ENABLE":              "on",
					"SIGHTLINE_TELEMETRY_TYPES":               "tracing",
					"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR":      "simple",
					"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL":       "off",
					"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT": "50ms",
					"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS":   exporter,
					"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS":   url,
				}[k]
				return v, ok
			}))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			tr := c.Tracer("bench")
			_, s := tr.Start(context.Background(), "opens the breaker")
			s.End() // times out after 50 ms: the endpoint is failing from now on
			if st := c.Control().Status().Endpoints[0]; st.State != "failing" {
				b.Fatalf("endpoint not failing after a timed-out export: %+v", st)
			}
			benchSpans(b, tr, nil)
			b.StopTimer()
			if st := c.Control().Status().Endpoints[0]; st.Exported != 0 || st.Failed != 1 {
				b.Fatalf("the hung endpoint exported %d, failed %d; want 0 and 1", st.Exported, st.Failed)
			}
		})
	}
}
