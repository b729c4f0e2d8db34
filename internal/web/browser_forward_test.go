package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/store"
)

// TestBrowserForwardStatus: the search page's top bar shows serve's
// forwarding (lag, queue, drops, marked when behind or dropping, details
// in the title) when /api/stats has a "forward" object, and nothing when
// it is null or absent.
func TestBrowserForwardStatus(t *testing.T) {
	btNeedChromium(t)
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	var stats atomic.Value // map[string]any, what /api/stats answers
	mux := http.NewServeMux()
	mux.Handle("/api/", NewAPI(st, func() any { return stats.Load() }))
	mux.Handle("/", NewUI())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b := btStartBrowser(t, 2*time.Minute)

	behind := map[string]any{
		"upstream": "grpc://gw.facility:4317", "state": "backing_off", "connected": false,
		"queue_records": 1200, "queue_bytes": 3355443, "max_bytes": 2 << 30, "lag_ns": int64(125 * time.Second),
		"forwarded_records": 40, "retries": 9, "last_error": "connection refused",
		"dropped": map[string]any{"full": map[string]any{"records": 5, "bytes": 100}, "rejected": map[string]any{"records": 2, "bytes": 10}},
	}
	stats.Store(map[string]any{"forward": behind})
	b.navigate(srv.URL + "/")
	b.wait("the forwarding status", `!document.querySelector('#fwd-status').hidden`, 10*time.Second)
	if got, want := b.text("#fwd-status"), "forward: lag 2m 5s · queue 3.2 MiB of 2 GiB · 7 dropped"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	var cls, title string
	b.eval(`document.querySelector('#fwd-status').className`, &cls)
	b.eval(`document.querySelector('#fwd-status').title`, &title)
	if !strings.Contains(cls, "behind") || !strings.Contains(cls, "dropped") {
		t.Errorf("classes %q, want behind and dropped", cls)
	}
	for _, want := range []string{"forwarding to grpc://gw.facility:4317 (backing_off, upstream not reached)", "1,200 requests queued",
		"5 when the queue was full, 2 refused by the upstream", "last error: connection refused"} {
		if !strings.Contains(title, want) {
			t.Errorf("title %q lacks %q", title, want)
		}
	}

	stats.Store(map[string]any{"forward": map[string]any{"upstream": "http://gw:4318", "state": "idle", "connected": true,
		"queue_records": 0, "queue_bytes": 8, "max_bytes": 16 << 20, "lag_ns": 0, "dropped": map[string]any{}}})
	b.navigate(srv.URL + "/")
	b.wait("the forwarding status up to date", `document.querySelector('#fwd-status').textContent === 'forward: up to date · queue 8 B of 16 MiB · 0 dropped'`, 10*time.Second)
	b.eval(`document.querySelector('#fwd-status').className`, &cls)
	if strings.Contains(cls, "behind") || strings.Contains(cls, "dropped") {
		t.Errorf("classes %q when up to date", cls)
	}

	for _, off := range []any{map[string]any{"forward": nil}, map[string]any{}} {
		stats.Store(off)
		b.navigate(srv.URL + "/")
		b.wait("/api/stats read", `document.querySelector('#fwd-status').dataset.loaded === 'true'`, 10*time.Second)
		var hidden bool
		b.eval(`document.querySelector('#fwd-status').hidden`, &hidden)
		if !hidden {
			t.Errorf("forwarding off (%v), yet a status: %q", off, b.text("#fwd-status"))
		}
	}
	b.checkClean()
}
