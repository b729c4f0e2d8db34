package forward_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/forward"
)

// A collector queues each request before it acknowledges it, and the
// Forwarder sends the queue upstream.
func Example() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // an OTLP/HTTP receiver that takes everything
	}))
	defer upstream.Close()
	dir, err := os.MkdirTemp("", "forward-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	cfg := forward.DefaultConfig()
	cfg.Dir, cfg.URL = filepath.Join(dir, "forward"), upstream.URL
	f, err := forward.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := f.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	// What a receiver does with each request, before answering it.
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("scan")
	span.SetTraceID([16]byte{1})
	span.SetSpanID([8]byte{1})
	if err := f.AppendTraces(td); err != nil {
		fmt.Println("refuse the request, ask to retry:", err)
		return
	}

	for deadline := time.Now().Add(10 * time.Second); f.Stats().QueueRecords > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	st := f.Stats()
	fmt.Printf("forwarded %d, queued %d, lag %v, %s\n", st.ForwardedRecords, st.QueueRecords, st.Lag, st.State)
	// Output: forwarded 1, queued 0, lag 0s, stopped
}
