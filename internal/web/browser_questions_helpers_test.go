package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sightline-dev/sightline/internal/store"
)

// btQServer is btStartServer's viewer and API, counting the requests.
type btQServer struct {
	url  string
	mu   sync.Mutex
	reqs []*url.URL
}

func btStartQServer(t *testing.T, traces ...*btTrace) *btQServer {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	for _, b := range traces {
		if res, err := st.AppendTraces(ctx, b.td); err != nil || res.Rejected != 0 {
			t.Fatalf("append traces: %+v, %v", res, err)
		}
	}
	s := &btQServer{}
	api := NewAPI(st, nil)
	mux := http.NewServeMux()
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.URL)
		s.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	mux.Handle("/", NewUI())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// fetches lists the requests so far for trace id's spans (not polls for
// changes), as path?query.
func (s *btQServer) fetches(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, u := range s.reqs {
		if u.Path == "/api/v1/traces/"+id && !u.Query().Has("changes_since") {
			out = append(out, u.RequestURI())
		}
	}
	return out
}

// btQInit runs in every page before its scripts: long tasks recorded from
// the start, and room for every resource timing entry.
const btQInit = `performance.setResourceTimingBufferSize(100000);
window.__lt = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); })
	.observe({ type: 'longtask', buffered: true });`

type btQ struct {
	*btBrowser
	srv *btQServer
	cur string // the trace page's trace id
	// calm is how long btQCalibrate's fixed work took at its quickest:
	// the page's speed when the machine is not busy with other jobs.
	calm float64
}

// btQCalibrate is a fixed piece of main-thread work (a few ms) whose
// time says how fast the page runs now: the shared machine's other jobs
// (other packages' tests, under -race) slow every task alike, and a task
// limit of 100 ms is about the page's code, so it scales with them.
const btQCalibrate = `(() => { const t0 = performance.now(); let x = 0;
	for (let i = 0; i < 3e6; i++) x = (x * 31 + i) % 1000003;
	return [performance.now() - t0, x]; })()`

// slowdown is how much slower than calm the fixed work runs now, at
// least 1.
func (b *btQ) slowdown() float64 {
	b.t.Helper()
	var r [2]float64
	b.eval(btQCalibrate, &r)
	if b.calm == 0 || r[0] < b.calm {
		b.calm = max(r[0], 0.1)
	}
	return max(1, r[0]/b.calm)
}

func btStartQ(t *testing.T, srv *btQServer) *btQ {
	b := btStartBrowser(t, 4*time.Minute)
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: btQInit}); err != nil {
		t.Fatal(err)
	}
	q := &btQ{btBrowser: b, srv: srv}
	for range 5 {
		q.slowdown()
	}
	return q
}

// open loads a trace page and waits for all its spans; it reports the
// long tasks of the load.
func (b *btQ) open(id, query string) {
	b.t.Helper()
	b.cur = id
	b.navigate(b.srv.url + "/trace/" + id + query)
	b.wait("all spans", btAllLoaded, time.Minute)
	b.wait("the first row painted", btFirstRow, 10*time.Second)
	var load [][2]float64
	b.eval(`window.__lt`, &load)
	var longest float64
	for _, lt := range load {
		longest = max(longest, lt[1])
	}
	b.t.Logf("load of %s: %d long tasks, longest %.0f ms", id[:8], len(load), longest)
}

// action runs fn and fails when the page fetched its trace again or ran a
// task over 100 ms meanwhile.
func (b *btQ) action(what string, fn func()) {
	b.t.Helper()
	b.actionFrom(what, `performance.now()`, fn)
}

// actionFrom is action, counting the long tasks from the time markJS
// evaluates to (performance.now()'s clock).
func (b *btQ) actionFrom(what, markJS string, fn func()) {
	b.t.Helper()
	before := len(b.srv.fetches(b.cur))
	slow := b.slowdown()
	var mark float64
	b.eval(markJS, &mark)
	fn()
	b.eval(`new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))`, nil)
	var tasks [][2]float64
	b.eval(fmt.Sprintf(`window.__lt.filter((e) => e[0] >= %f)`, mark), &tasks)
	slow = max(slow, b.slowdown())
	var longest float64
	for _, lt := range tasks {
		longest = max(longest, lt[1])
	}
	b.t.Logf("%s: %d long tasks, longest %.0f ms (the machine %.1fx slower than its quickest)", what, len(tasks), longest, slow)
	if longest > 100*slow {
		b.t.Errorf("%s: a main-thread task of %.0f ms (%v) with the machine %.1fx slower than its quickest: want none over 100 ms at its quickest",
			what, longest, tasks, slow)
	}
	if after := b.srv.fetches(b.cur); len(after) != before {
		b.t.Errorf("%s: the page fetched its trace again: %v", what, after[before:])
	}
	b.checkClean()
}

// selected waits until span id is selected: in the details panel, and its
// row in the DOM, selected and in view.
func (b *btQ) selected(what, id string) {
	b.t.Helper()
	b.wait(what, fmt.Sprintf(`(() => {
		const d = document.querySelector('.d-span-id');
		const r = document.querySelector('.wf-row.sel');
		if (!d || d.textContent !== %[1]q || !r || r.dataset.key !== 'n:' + %[1]q) return false;
		const a = r.getBoundingClientRect();
		const s = document.querySelector('.wf-scroll').getBoundingClientRect();
		return a.top >= s.top && a.bottom <= s.bottom;
	})()`, id), 10*time.Second)
}

func (b *btQ) typeQuery(q string) {
	b.t.Helper()
	b.eval(`document.querySelector('.wf-scroll').focus()`, nil)
	b.keyNoChar('/')
	var active string
	b.eval(`document.activeElement.id`, &active)
	if active != "find-input" {
		b.t.Fatalf("/ focused %q, want the find box", active)
	}
	b.key(q)
	var v string
	b.eval(`document.activeElement.value`, &v)
	if v != q {
		b.t.Fatalf("typed %q, the find box holds %q", q, v)
	}
}
