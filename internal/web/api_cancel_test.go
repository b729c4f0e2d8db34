package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store"
)

// wideAttrs is the attribute count of the wide span below.
const wideAttrs = 200_000

// wideTrace is a trace of one span with wideAttrs attributes (built with
// FromRaw, linear in their number).
func wideTrace() ptrace.Traces {
	raw := make(map[string]any, wideAttrs)
	for i := range wideAttrs {
		raw[fmt.Sprintf("attribute.%d", i)] = fmt.Sprintf("value %d", i)
	}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "wide")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(cartTrace)
	sp.SetSpanID(cartRoot)
	sp.SetName("wide")
	sp.SetStartTimestamp(ts(0))
	sp.SetEndTimestamp(ts(time.Millisecond))
	if err := sp.Attributes().FromRaw(raw); err != nil {
		panic(err) // strings only: cannot fail
	}
	return td
}

// watchWriter records whether a handler started an answer.
type watchWriter struct {
	http.ResponseWriter
	wrote atomic.Bool
}

func (w *watchWriter) WriteHeader(status int) {
	w.wrote.Store(true)
	w.ResponseWriter.WriteHeader(status)
}

func (w *watchWriter) Write(b []byte) (int, error) {
	w.wrote.Store(true)
	return w.ResponseWriter.Write(b)
}

// TestClientGone serves a span of 200,000 attributes as OTLP over real
// HTTP, by each route: once whole, timed, then to a client that cancels
// an eighth of that time after the handler started, while the store is
// decoding. The handler returns before half that time and writes nothing
// (when decoding was quadratic it took minutes, went on after the client
// had gone, and wrote the answer).
func TestClientGone(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 200,000 attributes")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{MaxAttributes: wideAttrs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if res, err := st.AppendTraces(ctx, wideTrace()); err != nil || res.Accepted != 1 {
		t.Fatalf("append: %+v, %v", res, err)
	}
	api := NewAPI(st, nil)
	type served struct {
		took  time.Duration
		wrote bool
	}
	started := make(chan struct{}, 1)
	done := make(chan served, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := &watchWriter{ResponseWriter: w}
		t0 := time.Now()
		started <- struct{}{}
		api.ServeHTTP(ww, r)
		done <- served{time.Since(t0), ww.wrote.Load()}
	}))
	t.Cleanup(srv.Close)
	wait := func() served {
		t.Helper()
		select {
		case s := <-done:
			return s
		case <-time.After(time.Minute):
			t.Fatal("the handler has not returned after a minute")
			return served{}
		}
	}
	for _, tc := range []struct {
		name, path, accept string
	}{
		{"otlp", "/api/v1/traces/" + cartHex + "/otlp", ""},
		{"tempo json", "/api/traces/" + cartHex, ""},
		{"tempo protobuf", "/api/v2/traces/" + cartHex, "application/protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv, tc.path, "Accept", tc.accept)
			<-started
			whole := wait()
			if resp.StatusCode != http.StatusOK || len(body) < wideAttrs*10 || !whole.wrote {
				t.Fatalf("whole answer: %d, %d bytes", resp.StatusCode, len(body))
			}

			rctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() {
				<-started
				time.AfterFunc(whole.took/8, cancel)
			}()
			req, err := http.NewRequestWithContext(rctx, http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", tc.accept)
			if resp, err := srv.Client().Do(req); !errors.Is(err, context.Canceled) {
				if err == nil {
					resp.Body.Close()
				}
				t.Fatalf("cancelled request: %v", err)
			}
			gone := wait()
			t.Logf("whole answer in %v; cancelled after %v, the handler returned after %v", whole.took, whole.took/8, gone.took)
			if gone.wrote {
				t.Error("the handler answered a client that had gone")
			}
			if gone.took > whole.took/2 {
				t.Errorf("the handler took %v for a client that had gone, %v for the whole answer", gone.took, whole.took)
			}
		})
	}
}
