package otlpenc_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// capture is a loopback server standing in for a collector: it answers
// every request to path with an empty 200 and keeps the last body (when
// keep; benchmarks discard them), so a test gets what an SDK exporter
// pointed at it sent.
type capture struct {
	srv  *httptest.Server
	mu   sync.Mutex
	last []byte
	keep bool
}

func newCapture(tb testing.TB, path string, keep bool) *capture {
	tb.Helper()
	c := &capture{keep: keep}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path || r.Header.Get("Content-Encoding") != "" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		if !c.keep {
			_, _ = io.Copy(io.Discard, r.Body)
		} else {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			c.mu.Lock()
			c.last = body
			c.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	tb.Cleanup(c.srv.Close)
	return c
}

// body runs export and returns the body it sent (nil when it sent
// nothing).
func (c *capture) body(tb testing.TB, export func(context.Context) error) []byte {
	tb.Helper()
	c.mu.Lock()
	c.last = nil
	c.mu.Unlock()
	if err := export(context.Background()); err != nil {
		tb.Fatalf("SDK export: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// resourceOrder is the order of n resources sorted by their attributes
// (attrs(i)): the SDK orders resources by Go map iteration, so randomly,
// while everything below a resource keeps its order.
func resourceOrder(n int, attrs func(i int) pcommon.Map) []int {
	keys := make([]string, n)
	order := make([]int, n)
	for i := range n {
		order[i] = i
		var sb strings.Builder
		for k, v := range attrs(i).All() {
			fmt.Fprintf(&sb, "%q=%s:%s;", k, v.Type(), v.AsString())
		}
		keys[i] = sb.String()
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	return order
}
