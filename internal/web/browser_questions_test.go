package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sightline-dev/sightline/internal/store"
)

// The trace page's questions (tools.js) on a 20,000-span trace: find,
// next error, the critical path, compare. Each action is checked against
// figures computed here from the same spans, without the page fetching
// its trace again and without a main-thread task over 100 ms.

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

func TestBrowserQuestions(t *testing.T) {
	btNeedChromium(t)
	t0 := time.Now().Add(-10 * time.Minute)
	a := btQuestionsTrace(21, t0, 0)
	other := btQuestionsTrace(22, t0.Add(time.Minute), 1)
	if len(a.spans) != btQSpans {
		t.Fatalf("%d spans, want %d", len(a.spans), btQSpans)
	}
	srv := btStartQServer(t, a.btTrace, other.btTrace)
	b := btStartQ(t, srv)
	t.Run("find", func(t *testing.T) { b.t = t; btQFind(b, a) })
	t.Run("errors", func(t *testing.T) { b.t = t; btQErrors(b, a) })
	t.Run("critical", func(t *testing.T) { b.t = t; btQCritical(b, a) })
	t.Run("compare", func(t *testing.T) { b.t = t; btQCompare(b, a, other) })
}

func btQFind(b *btQ, a *btQTrace) {
	t := b.t
	b.open(a.hex(), "")
	count := func(want string) {
		t.Helper()
		b.wait("the match count "+want, fmt.Sprintf(`document.querySelector('#find-count').textContent === %q`, want), 10*time.Second)
	}
	matches := func(n int) string {
		if n == 1 {
			return "1 match"
		}
		return btCount(n) + " matches"
	}

	// A key's match under a collapsed ancestor: the chain folded at its top.
	b.clickRow("configure", false)
	b.key(kb.ArrowLeft)
	b.wait("the chain collapsed", `![...document.querySelectorAll('.wf-row .wf-name')].some((e) => e.textContent === 'configure step')`, 5*time.Second)
	deep := a.matches("xyzzy")
	if len(deep) != 1 || deep[0].Name != "configure step" {
		t.Fatalf("xyzzy matches %d spans", len(deep))
	}
	b.action("find a key in a collapsed chain", func() {
		b.typeQuery("XYZZY")
		count(matches(1))
		b.key(kb.Enter)
		b.selected("the chain's deepest span", deep[0].ID)
		count("1 of 1")
	})
	// Esc clears.
	b.action("Esc", func() {
		b.key(kb.Escape)
		b.wait("cleared", `document.querySelector('#find-input').value === '' && document.querySelector('#find-count').textContent === ''
			&& !document.querySelector('.wf-row.match')`, 5*time.Second)
	})

	// A value inside a folded group: the group opens.
	quartz := a.matches("quartz")
	if len(quartz) != 1 {
		t.Fatalf("quartz matches %d spans", len(quartz))
	}
	gk := a.groupKey(quartz[0])
	var folded bool
	b.eval(fmt.Sprintf(`!window.sightlineTrace.waterfall.view.expanded.has(%q)`, strings.Replace(strings.TrimPrefix(gk, "g:"), "|", "\x00", 1)), &folded)
	if gk == "" || !folded {
		t.Fatalf("the quartz read is not in a folded group (%q, folded %v)", gk, folded)
	}
	b.action("find a value in a folded group", func() {
		b.typeQuery("quartz")
		count(matches(1))
		// The folded group's row is marked as holding a match.
		b.eval(fmt.Sprintf(`(() => { const w = window.sightlineTrace.waterfall;
			const i = w.rows.findIndex((r) => r.item.group && 'g:' + r.item.key.replace('\u0000', '|') === %q);
			w.scroll.scrollTop = i * 24; })()`, gk), nil)
		b.wait("the group row marked", fmt.Sprintf(`document.querySelector('.wf-row.match[data-key=%q]')`, gk), 5*time.Second)
		b.key(kb.Enter)
		b.selected("the quartz read", quartz[0].ID)
		b.wait("the read marked", `document.querySelector('.wf-row.sel.match')`, 5*time.Second)
		b.wait("its group open", fmt.Sprintf(`window.sightlineTrace.waterfall.view.expanded.has(%q)`, strings.Replace(strings.TrimPrefix(gk, "g:"), "|", "\x00", 1)), 5*time.Second)
	})

	// Next and previous cycle through a value's matches in order, and wrap.
	topUp := a.matches("top-up")
	if len(topUp) < 10 {
		t.Fatalf("top-up matches %d spans", len(topUp))
	}
	b.action("next and previous over "+fmt.Sprint(len(topUp))+" matches", func() {
		b.key(kb.Escape)
		b.key("top-up")
		count(matches(len(topUp)))
		for i := range len(topUp) + 1 {
			b.key(kb.Enter)
			k := i % len(topUp)
			b.selected(fmt.Sprintf("match %d", k+1), topUp[k].ID)
			count(fmt.Sprintf("%d of %d", k+1, len(topUp)))
		}
		b.shiftEnter()
		b.selected("back to the last match", topUp[len(topUp)-1].ID)
		count(fmt.Sprintf("%d of %d", len(topUp), len(topUp)))
		b.shiftEnter()
		b.selected("the one before", topUp[len(topUp)-2].ID)
	})

	// A service, a resource attribute's value, a status message: counts
	// as computed here, and the first match in order.
	for _, q := range []string{"Worker-2", "eiger2", "timed out", "ch-07"} {
		want := a.matches(q)
		b.action("find "+q, func() {
			b.key(kb.Escape)
			b.eval(`document.querySelector('.wf-scroll').focus(); window.sightlineTrace.waterfall.select(0)`, nil)
			b.typeQuery(q)
			count(matches(len(want)))
			b.key(kb.Enter)
			b.selected("the first match of "+q, want[0].ID)
		})
	}
	if n := len(a.matches("worker-2")); n != 5*300 {
		t.Errorf("worker-2 matches %d spans, want the 1,500 tasks of its batches", n)
	}
}

// keyNoChar presses a key without the char event that chromedp sends
// apart (a browser sends none after a keydown whose default is prevented,
// as the page does for /).
func (b *btQ) keyNoChar(r rune) {
	b.t.Helper()
	for _, k := range kb.Encode(r) {
		if k.Type == kb.KeyChar {
			continue
		}
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, *k); err != nil {
			b.t.Fatal(err)
		}
	}
}

func (b *btQ) shiftEnter() {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift))); err != nil {
		b.t.Fatal(err)
	}
}

func btQErrors(b *btQ, a *btQTrace) {
	t := b.t
	b.open(a.hex(), "")
	var errs []*btQSpan
	for _, s := range a.order() {
		if s.Err != "" {
			errs = append(errs, s)
		}
	}
	if len(errs) < 40 {
		t.Fatalf("%d errors", len(errs))
	}
	label := func(want string) {
		t.Helper()
		b.wait("the errors label "+want, fmt.Sprintf(`document.querySelector('#err-count').textContent === %q`, want), 5*time.Second)
	}
	label(fmt.Sprintf("%d errors", len(errs)))
	b.action("next error, through all and around", func() {
		b.eval(`document.querySelector('.wf-scroll').focus()`, nil)
		for i := range len(errs) + 1 {
			b.key("e")
			k := i % len(errs)
			b.selected(fmt.Sprintf("error %d", k+1), errs[k].ID)
			label(fmt.Sprintf("error %d of %d", k+1, len(errs)))
		}
		b.key("E")
		b.selected("back to the last error", errs[len(errs)-1].ID)
		label(fmt.Sprintf("error %d of %d", len(errs), len(errs)))
		b.eval(`document.querySelector('#err-prev').click()`, nil)
		b.selected("the error before", errs[len(errs)-2].ID)
	})
}

// btQRow is a waterfall row: its item's key and marks.
type btQRow struct {
	Key        string
	Crit       bool
	Match      bool
	Gradient   bool
	Expandable bool
}

func btQCritical(b *btQ, a *btQTrace) {
	t := b.t
	b.open(a.hex(), "")
	want := a.critical()
	// The trace is shaped so the answer is not trivial.
	for _, name := range []string{"calibrate", "calibrate axis 3"} {
		for _, s := range a.spans {
			if _, on := want[s.ID]; s.Name == name && on {
				t.Errorf("%s is on the reference path", name)
			}
		}
	}
	if want[a.root.ID] <= 0 || len(want) < 50 {
		t.Fatalf("reference path: %d spans, root's own %d ns", len(want), want[a.root.ID])
	}
	var rows []btQRow
	b.action("critical path", func() {
		b.eval(`document.querySelector('#crit-toggle').click()`, nil)
		b.wait("critical rows", `document.querySelector('.wf-row.crit')`, 5*time.Second)
		// Every row, from top to bottom of the waterfall.
		b.eval(`(async () => {
			const s = document.querySelector('.wf-scroll');
			const seen = new Map();
			for (let y = 0; ; y += s.clientHeight) {
				s.scrollTop = y;
				await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
				for (const r of document.querySelectorAll('.wf-row')) {
					const ov = r.querySelector('.wf-crit');
					seen.set(r.dataset.key, { Key: r.dataset.key, Crit: r.classList.contains('crit'), Match: r.classList.contains('match'),
						Gradient: Boolean(ov && ov.style.backgroundImage.includes('linear-gradient')) });
				}
				if (y + s.clientHeight >= s.scrollHeight) break;
			}
			s.scrollTop = 0;
			return [...seen.values()];
		})()`, &rows)
	})
	var got map[string]float64
	b.eval(`window.sightlineTrace.tools.critical()`, &got)
	for id, ns := range want {
		if g, ok := got[id]; !ok || int64(math.Round(g)) != ns {
			t.Errorf("span %s: on the page's path %v with %v ns of its own, want %d ns", id, ok, g, ns)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("span %s on the page's path, not on the reference's", id)
		}
	}
	// The rows drawn: a span's row marked when it is on the path, a group's
	// when a member is; own segments drawn on the bar.
	wantRow := map[string]bool{}
	gradient := map[string]bool{}
	for _, s := range a.spans {
		own, on := want[s.ID]
		k := "n:" + s.ID
		if g := a.groupKey(s); g != "" {
			k = g
		}
		wantRow[k] = wantRow[k] || on
		gradient[k] = gradient[k] || own > 0
	}
	if len(rows) < 1000 {
		t.Fatalf("%d rows seen", len(rows))
	}
	marked := 0
	for _, r := range rows {
		w, ok := wantRow[r.Key]
		if !ok && strings.HasPrefix(r.Key, "n:") {
			t.Errorf("row %s is not a span of the trace", r.Key)
			continue
		}
		if r.Crit != w {
			t.Errorf("row %s: marked critical %v, want %v", r.Key, r.Crit, w)
		}
		if r.Gradient != gradient[r.Key] {
			t.Errorf("row %s: own segments drawn %v, want %v", r.Key, r.Gradient, gradient[r.Key])
		}
		if r.Crit {
			marked++
		}
	}
	t.Logf("critical path: %d spans, %d rows marked of %d", len(want), marked, len(rows))

	// The details of a span on the path say how much of it is.
	b.action("critical path details", func() {
		b.eval(fmt.Sprintf(`(() => { const w = window.sightlineTrace.waterfall; w.selectNode(w.model.find(%q)); })()`, btQFind1(a, "write results").ID), nil)
		var text string
		b.eval(fmt.Sprintf(`import('/static/js/format.js').then((f) => 'on the critical path: ' + f.fmtDuration(%d) + ' of its ' + f.fmtDuration(200e6))`,
			want[btQFind1(a, "write results").ID]), &text)
		b.wait("the details' critical time", fmt.Sprintf(`(document.querySelector('.d-crit') || {}).textContent === %q`, text), 5*time.Second)
	})
	b.action("critical path off", func() {
		b.eval(`document.querySelector('#crit-toggle').click()`, nil)
		b.wait("no critical rows", `!document.querySelector('.wf-row.crit') && !document.querySelector('.d-crit')`, 5*time.Second)
	})
}

// btQFind1 is the first span named name.
func btQFind1(q *btQTrace, name string) *btQSpan {
	for _, s := range q.spans {
		if s.Name == name {
			return s
		}
	}
	return nil
}
