package web

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// btFlight is a trace whose spans are stored the way a running program
// sends them: heartbeats of open spans, stop records, finished spans.
type btFlight struct {
	t  testing.TB
	st *store.Store
	id pcommon.TraceID
	t0 time.Time // the root's start: the viewer's time 0
}

func btNewFlight(t testing.TB, st *store.Store, n uint64, t0 time.Time) *btFlight {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], 0xf1_19_00_00_00_00_00_00|n)
	binary.BigEndian.PutUint64(id[8:], (n+7)*0x9e3779b97f4a7c15)
	return &btFlight{t: t, st: st, id: id, t0: t0}
}

func (f *btFlight) hex() string { return f.id.String() }

// sid is span number k of the trace (0: none, a root's parent).
func (f *btFlight) sid(k uint64) pcommon.SpanID {
	var s pcommon.SpanID
	if k > 0 {
		binary.BigEndian.PutUint64(s[:], 0xf1<<56|k)
	}
	return s
}

// heartbeat announces span k (a child of parent, 0 for the root) open,
// with a heartbeat interval.
func (f *btFlight) heartbeat(k, parent uint64, name string, start time.Time, interval time.Duration) {
	f.t.Helper()
	td := announcetest.Span("bluesky-engine", f.id, f.sid(k), f.sid(parent), name, start, time.Time{})
	if res, err := f.st.AppendLogs(context.Background(), announcetest.Heartbeat(td, interval, time.Now())); err != nil || res.Rejected != 0 {
		f.t.Fatalf("heartbeat %s: %+v, %v", name, res, err)
	}
}

// stop sends the stop record of span k, ended at end.
func (f *btFlight) stop(k, parent uint64, name string, start, end time.Time) {
	f.t.Helper()
	td := announcetest.Span("bluesky-engine", f.id, f.sid(k), f.sid(parent), name, start, end)
	if res, err := f.st.AppendLogs(context.Background(), announcetest.Stop(td, time.Now())); err != nil || res.Rejected != 0 {
		f.t.Fatalf("stop %s: %+v, %v", name, res, err)
	}
}

// finished stores span k as a finished span (the traces signal).
func (f *btFlight) finished(k, parent uint64, name string, start, end time.Time) {
	f.t.Helper()
	td := announcetest.Span("bluesky-engine", f.id, f.sid(k), f.sid(parent), name, start, end)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetKind(ptrace.SpanKindInternal)
	if res, err := f.st.AppendTraces(context.Background(), td); err != nil || res.Rejected != 0 {
		f.t.Fatalf("span %s: %+v, %v", name, res, err)
	}
}

// summary is the trace's summary as the store has it now.
func (f *btFlight) summary() store.TraceSummary {
	f.t.Helper()
	p, err := f.st.Trace(context.Background(), f.hex(), store.Page{Limit: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Summary
}

// btBar is what the waterfall shows of one span's row.
type btBar struct {
	Found        bool
	State        string  // the row's data-state
	Width        float64 // the bar's width, px
	End          float64 // the bar's data-end: ns since the trace's start
	Mark, Title  string  // the in-flight mark's text and title
	Label        string  // the text beside the bar
	Open, Lost   bool    // the bar's classes
	Selected     bool
	NowSinceT0NS float64 // the browser's clock, ns since the trace's start
}

// btBarJS evaluates to the btBar of the row named name; t0 is the trace's
// start.
func btBarJS(name string, t0 time.Time) string {
	return fmt.Sprintf(`(() => {
		const r = [...document.querySelectorAll('.wf-row')].find((r) => r.querySelector('.wf-name').textContent === %q);
		if (!r) return { Found: false };
		const bar = r.querySelector('.wf-bar');
		const mark = r.querySelector('.wf-state');
		return { Found: true, State: r.dataset.state, Width: bar.getBoundingClientRect().width,
			End: Number(bar.dataset.end), Mark: mark.textContent, Title: mark.title || '',
			Label: r.querySelector('.wf-dur').textContent, Open: bar.classList.contains('open'),
			Lost: bar.classList.contains('lost'), Selected: r.classList.contains('sel'),
			NowSinceT0NS: Date.now() * 1e6 - %d };
	})()`, name, t0.UnixNano())
}

func (b *btBrowser) bar(name string, t0 time.Time) btBar {
	b.t.Helper()
	var v btBar
	b.eval(btBarJS(name, t0), &v)
	return v
}

// btFetches counts the page's requests for a trace by kind, from resource
// timing: whole pages (limit, cursor) and changes_since polls.
type btFetches struct{ Full, Changes int }

func btFetchesJS(traceHex string) string {
	return fmt.Sprintf(`(() => {
		const names = performance.getEntriesByType('resource').map((e) => e.name)
			.filter((n) => n.includes('/api/v1/traces/%s?'));
		return { Full: names.filter((n) => !n.includes('changes_since=')).length,
			Changes: names.filter((n) => n.includes('changes_since=')).length };
	})()`, traceHex)
}

func (b *btBrowser) fetches(traceHex string) btFetches {
	b.t.Helper()
	var v btFetches
	b.eval(btFetchesJS(traceHex), &v)
	return v
}

// openFlight opens a trace page and waits until it is polling.
func (b *btBrowser) openFlight(srv *btServer, f *btFlight) {
	b.t.Helper()
	b.navigate(srv.url + "/trace/" + f.hex())
	// Resource timing keeps 250 entries unless told otherwise.
	b.eval(`performance.setResourceTimingBufferSize(100000)`, nil)
	b.wait("the trace loaded and polling", `document.documentElement.dataset.loaded === 'all'
		&& document.documentElement.dataset.live === 'polling'`, 10*time.Second)
}

// TestBrowserInflightGrows: an open span's bar grows with the clock,
// redrawn without fetching the trace again; the page only asks what
// changed.
func TestBrowserInflightGrows(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-10 * time.Second)
	f := btNewFlight(t, srv.st, 1, t0)
	f.heartbeat(1, 0, "run scan", t0, time.Hour)
	f.finished(2, 1, "read det1", t0.Add(500*time.Millisecond), t0.Add(time.Second))
	f.heartbeat(3, 1, "move motor1", time.Now().Add(-2*time.Second), time.Hour)
	b := btStartBrowser(t, 2*time.Minute)
	b.openFlight(srv, f)

	first := b.bar("move motor1", t0)
	if !first.Found || first.State != "open" || !first.Open || first.Mark != "running" || !strings.Contains(first.Title, "not ended") ||
		!strings.HasPrefix(first.Label, "running ") {
		t.Fatalf("open span's row: %+v", first)
	}
	// An open bar ends now (the browser's and the server's clocks are one here).
	if d := first.NowSinceT0NS - first.End; d < -5e8 || d > 1.5e9 {
		t.Errorf("open bar ends %v before now, want about 0 (%+v)", time.Duration(d), first)
	}
	var start float64
	b.eval(`performance.now()`, &start)
	b.wait("the open bar grown, 1.5 s later, and a poll", fmt.Sprintf(`(() => {
		const v = %s;
		const n = %s;
		return performance.now() - %f > 1500 && v.Width > %f + 1 && v.End >= %f + 1.5e9 && n.Changes >= 1;
	})()`, btBarJS("move motor1", t0), btFetchesJS(f.hex()), start, first.Width, first.End), 15*time.Second)
	// It grows between polls too: the page redraws it on a timer.
	b.wait("the open bar grown with no poll between", fmt.Sprintf(`(() => {
		const v = %s;
		const n = %s;
		const s = window.__grow;
		if (!s || s.changes !== n.Changes) {
			window.__grow = { changes: n.Changes, end: v.End };
			return false;
		}
		return v.End > s.end + 1e8;
	})()`, btBarJS("move motor1", t0), btFetchesJS(f.hex())), 10*time.Second)
	second := b.bar("move motor1", t0)
	if second.Width <= first.Width || second.End-first.End < 1.5e9 || second.State != "open" {
		t.Errorf("bar did not grow: %+v then %+v", first, second)
	}
	// The finished sibling's bar keeps its end.
	read := b.bar("read det1", t0)
	if read.State != "finished" || read.End != 1e9 || read.Mark != "" || read.Open || read.Label != "500 ms" {
		t.Errorf("finished span's row: %+v", read)
	}
	if n := b.fetches(f.hex()); n.Full != 1 || n.Changes < 1 {
		t.Errorf("requests for the trace: %+v, want the whole trace once, then changes_since", n)
	}
	if d := b.text(".th-duration"); !strings.HasPrefix(d, "running ") {
		t.Errorf("header duration %q", d)
	}
	if s := b.text(".th-inflight"); s != "● 2 running" {
		t.Errorf("header in flight %q", s)
	}

	// The details of the open span say so, and keep counting.
	b.clickRow("move motor1", false)
	b.wait("the open span's details", `(document.querySelector('.d-state') || {}).textContent?.startsWith('open: running for ')
		&& document.querySelector('.d-duration').textContent.endsWith(' so far')
		&& document.querySelector('.d-title .badge.open') !== null`, 5*time.Second)
	var was string
	b.eval(`document.querySelector('.d-state').textContent`, &was)
	b.wait("the details counting", fmt.Sprintf(`document.querySelector('.d-state').textContent !== %q`, was), 5*time.Second)
	b.checkClean()
}

// TestBrowserInflightChanges: spans stored while the page is open appear
// without a reload, the selection kept.
func TestBrowserInflightChanges(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-5 * time.Second)
	f := btNewFlight(t, srv.st, 2, t0)
	f.heartbeat(1, 0, "run scan", t0, time.Hour)
	f.finished(2, 1, "open_run", t0.Add(10*time.Millisecond), t0.Add(20*time.Millisecond))
	b := btStartBrowser(t, 2*time.Minute)
	b.openFlight(srv, f)
	b.clickRow("run scan", false)
	b.wait("the root selected", `location.search.includes('span=')`, 5*time.Second)
	b.eval(`window.__marker = 'not reloaded'`, nil)

	f.heartbeat(3, 1, "wait for det1", time.Now().Add(-time.Second), time.Hour)
	f.finished(4, 1, "trigger det1", t0.Add(time.Second), t0.Add(1500*time.Millisecond))
	b.wait("both new spans", fmt.Sprintf(`(() => {
		const w = %s, tr = %s;
		return w.Found && w.State === 'open' && tr.Found && tr.State === 'finished';
	})()`, btBarJS("wait for det1", t0), btBarJS("trigger det1", t0)), 15*time.Second)
	var marker string
	b.eval(`window.__marker`, &marker)
	if marker != "not reloaded" {
		t.Errorf("the page was reloaded (marker %q)", marker)
	}
	if n := b.fetches(f.hex()); n.Full != 1 || n.Changes < 1 {
		t.Errorf("requests for the trace: %+v, want the whole trace once, then changes_since", n)
	}
	// Start order among siblings: open_run, trigger det1, wait for det1.
	var names []string
	b.eval(`[...document.querySelectorAll('.wf-row .wf-name')].map((e) => e.textContent)`, &names)
	if strings.Join(names, ",") != "run scan,open_run,trigger det1,wait for det1" {
		t.Errorf("rows %v", names)
	}
	if root := b.bar("run scan", t0); !root.Selected {
		t.Errorf("the selection was lost: %+v", root)
	}
	if s := b.text(".th-stats"); !strings.Contains(s, "Spans4") {
		t.Errorf("header %q", s)
	}
	b.checkClean()
}

// TestBrowserInflightLost: a span whose heartbeats stop is shown lost.
func TestBrowserInflightLost(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-5 * time.Second)
	f := btNewFlight(t, srv.st, 3, t0)
	b := btStartBrowser(t, 2*time.Minute)
	f.heartbeat(1, 0, "run scan", t0, time.Hour)
	// Lost 9 s after this heartbeat, none follows: the page shows it open
	// first, then lost.
	f.heartbeat(2, 1, "acquire det1", t0.Add(time.Second), 3*time.Second)
	heard := time.Since(t0)
	b.openFlight(srv, f)
	if v := b.bar("acquire det1", t0); v.State != "open" {
		t.Fatalf("acquire det1 before its heartbeats stop: %+v", v)
	}
	b.wait("the span lost", fmt.Sprintf(`%s.State === 'lost'`, btBarJS("acquire det1", t0)), 30*time.Second)
	v := b.bar("acquire det1", t0)
	if !v.Lost || v.Open || v.Mark != "lost" || !strings.Contains(v.Title, "three heartbeat intervals") ||
		!strings.HasPrefix(v.Label, "lost — last heard ") || !strings.HasSuffix(v.Label, " ago)") {
		t.Errorf("lost span's row: %+v", v)
	}
	// It ends when last heard, not now.
	if d := time.Duration(v.End) - heard; d < -time.Second || d > 0 || v.End > v.NowSinceT0NS-8e9 {
		t.Errorf("lost bar ends at %v since the trace's start, heard at %v; now is %v", time.Duration(v.End), heard, time.Duration(v.NowSinceT0NS))
	}
	if s := b.text(".th-inflight"); s != "● 1 running 1 lost" {
		t.Errorf("header in flight %q", s)
	}
	b.clickRow("acquire det1", false)
	b.wait("the lost span's details", `(document.querySelector('.d-state') || {}).textContent?.startsWith('lost: last heard ')
		&& document.querySelector('.d-title .badge.lost').textContent === 'lost'`, 5*time.Second)
	b.checkClean()
}

// TestBrowserInflightFinishes: a span that ends stops growing, its bar
// ends at its real end, and polling stops with nothing open.
func TestBrowserInflightFinishes(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-5 * time.Second)
	f := btNewFlight(t, srv.st, 4, t0)
	f.heartbeat(1, 0, "run scan", t0, time.Hour)
	f.finished(2, 1, "open_run", t0.Add(10*time.Millisecond), t0.Add(20*time.Millisecond))
	b := btStartBrowser(t, 2*time.Minute)
	b.openFlight(srv, f)
	b.wait("a poll", btFetchesJS(f.hex())+`.Changes >= 1`, 10*time.Second)

	// It ended 3 s after its start: earlier than the bar has grown to.
	f.stop(1, 0, "run scan", t0, t0.Add(3*time.Second))
	b.wait("the span finished", fmt.Sprintf(`%s.State === 'finished'`, btBarJS("run scan", t0)), 10*time.Second)
	b.wait("polling stopped", `document.documentElement.dataset.live === 'done'`, 5*time.Second)
	done := b.bar("run scan", t0)
	if done.End != 3e9 || done.Open || done.Mark != "" || done.Label != "3 s" {
		t.Errorf("finished span's row: %+v", done)
	}
	if d := b.text(".th-duration"); d != "3 s" {
		t.Errorf("header duration %q", d)
	}
	if s := b.text(".th-stats"); strings.Contains(s, "In flight") || strings.Contains(s, "live") {
		t.Errorf("header %q", s)
	}
	was := b.fetches(f.hex())
	// Two poll intervals and more: nothing is fetched, nothing moves.
	var start float64
	b.eval(`performance.now()`, &start)
	b.wait("4.5 s with nothing open", fmt.Sprintf(`performance.now() - %f > 4500`, start), 10*time.Second)
	if n := b.fetches(f.hex()); n != was || n.Full != 1 {
		t.Errorf("requests for the trace %+v, then %+v with nothing open", was, n)
	}
	if v := b.bar("run scan", t0); v.Width != done.Width || v.End != done.End {
		t.Errorf("finished bar moved: %+v then %+v", done, v)
	}
	b.checkClean()
}

// TestBrowserInflightPolling: no polls in a hidden tab, polls again once
// shown; "reset" fetches the trace again; a trace gone stops polling.
func TestBrowserInflightPolling(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-5 * time.Second)
	f := btNewFlight(t, srv.st, 5, t0)
	f.heartbeat(1, 0, "run scan", t0, time.Hour)
	f.finished(2, 1, "open_run", t0.Add(10*time.Millisecond), t0.Add(20*time.Millisecond))
	b := btStartBrowser(t, 2*time.Minute)
	b.openFlight(srv, f)
	b.clickRow("open_run", false)
	b.wait("a poll", btFetchesJS(f.hex())+`.Changes >= 1`, 10*time.Second)

	// Hidden: the page says so and asks nothing.
	b.eval(`(() => {
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
		document.dispatchEvent(new Event('visibilitychange'));
	})()`, nil)
	b.wait("polling paused", `document.documentElement.dataset.live === 'paused'`, 5*time.Second)
	was := b.fetches(f.hex())
	var start float64
	b.eval(`performance.now()`, &start)
	b.wait("4.5 s hidden", fmt.Sprintf(`performance.now() - %f > 4500`, start), 10*time.Second)
	if n := b.fetches(f.hex()); n != was {
		t.Errorf("requests in a hidden tab: %+v, then %+v", was, n)
	}
	b.eval(`(() => {
		delete document.visibilityState;
		document.dispatchEvent(new Event('visibilitychange'));
	})()`, nil)
	b.wait("polling again", fmt.Sprintf(`document.documentElement.dataset.live === 'polling' && %s.Changes > %d`,
		btFetchesJS(f.hex()), was.Changes), 5*time.Second)

	// The next answer says "reset": the page fetches the trace again,
	// keeps its selection, and goes on polling with the new token.
	b.eval(`(() => {
		const real = window.fetch;
		window.__answer = { status: 200, body: JSON.stringify({ trace_id: '`+f.hex()+`', resources: [], spans: [], reset: true, summary: {} }) };
		window.fetch = (url, opts) => {
			if (String(url).includes('changes_since=') && window.__answer) {
				const a = window.__answer;
				if (a.status === 200) window.__answer = null;
				return Promise.resolve(new Response(a.body, { status: a.status, headers: { 'Content-Type': 'application/json' } }));
			}
			return real(url, opts);
		};
	})()`, nil)
	b.wait("the trace fetched again", btFetchesJS(f.hex())+`.Full === 2 && document.documentElement.dataset.live === 'polling'`, 10*time.Second)
	f.heartbeat(3, 1, "wait for det1", time.Now(), time.Hour)
	b.wait("changes after the reset", fmt.Sprintf(`%s.State === 'open'`, btBarJS("wait for det1", t0)), 10*time.Second)
	if v := b.bar("open_run", t0); !v.Selected {
		t.Errorf("selection lost across the reset: %+v", v)
	}

	// The trace is gone (404): polling stops, and the page says why.
	b.eval(`window.__answer = { status: 404, body: JSON.stringify({ error: 'trace `+f.hex()+` not found' }) }`, nil)
	b.wait("polling stopped, said", `document.documentElement.dataset.live === 'gone'
		&& document.querySelector('.th-live[role=alert]').textContent.includes('no longer stored')`, 10*time.Second)
	b.checkClean()
}

// TestBrowserInflightSearch: search results mark traces in progress and
// with lost spans; the in-progress filter narrows the list and round-trips
// through the address.
func TestBrowserInflightSearch(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-time.Minute)
	running := btNewFlight(t, srv.st, 6, t0)
	running.heartbeat(1, 0, "run scan", t0, time.Hour)
	running.heartbeat(2, 1, "acquire det1", t0.Add(time.Second), 10*time.Millisecond)
	done := btNewFlight(t, srv.st, 7, t0.Add(time.Second))
	done.finished(1, 0, "run count", done.t0, done.t0.Add(2*time.Second))
	poll.Until(t, 10*time.Second, "acquire det1 lost", func() bool { return running.summary().LostSpans == 1 })

	b := btStartBrowser(t, 2*time.Minute)
	b.navigate(srv.url + "/")
	b.wait("both traces", `document.querySelectorAll('.result').length === 2`, 10*time.Second)
	type result struct {
		Running, RunningTitle, Lost, LostTitle, Dur string
	}
	get := func(hex string) result {
		var r result
		b.eval(fmt.Sprintf(`(() => {
			const a = document.querySelector('a.result[href="/trace/%s"]');
			if (!a) return {};
			const q = (s) => a.querySelector(s);
			return { Running: q('.r-running')?.textContent || '', RunningTitle: q('.r-running')?.title || '',
				Lost: q('.r-lost')?.textContent || '', LostTitle: q('.r-lost')?.title || '',
				Dur: q('.r-dur-text').textContent };
		})()`, hex), &r)
		return r
	}
	if r := get(running.hex()); r.Running != "● running" || !strings.Contains(r.RunningTitle, "1 span still running") ||
		r.Lost != "1 lost" || !strings.Contains(r.LostTitle, "three heartbeat intervals") || !strings.HasPrefix(r.Dur, "running ") {
		t.Errorf("the running trace's result: %+v", r)
	}
	if r := get(done.hex()); r.Running != "" || r.Lost != "" || r.Dur != "2 s" {
		t.Errorf("the finished trace's result: %+v", r)
	}

	for _, tc := range []struct{ value, want string }{{"true", running.hex()}, {"false", done.hex()}} {
		b.eval(fmt.Sprintf(`(() => {
			document.querySelector('#f-inprogress').value = %q;
			document.querySelector('#search-form').requestSubmit();
		})()`, tc.value), nil)
		b.wait("the filter in the address", fmt.Sprintf(`location.search === '?in_progress=%s'`, tc.value), 5*time.Second)
		only := fmt.Sprintf(`document.querySelectorAll('.result').length === 1
			&& document.querySelector('a.result').getAttribute('href') === '/trace/%s'`, tc.want)
		b.wait("the one trace", only, 5*time.Second)
		// The address restores the filter.
		b.navigate(srv.url + "/?in_progress=" + tc.value)
		b.wait("the filter restored", fmt.Sprintf(`document.querySelector('#f-inprogress').value === %q && (%s)`, tc.value, only), 10*time.Second)
	}
	b.checkClean()
}

// TestBrowserInflightSearchEarlier: a scan that started two hours ago and
// is still running is not among the last hour's traces, but is listed
// above them, "Running, started earlier", with its mark and running time;
// the in-progress filter "false" neither shows nor asks for that list,
// "true" keeps it; and the scan leaves it once it finishes, without a
// reload.
func TestBrowserInflightSearchEarlier(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	t0 := time.Now().Add(-2 * time.Hour)
	scan := btNewFlight(t, srv.st, 8, t0)
	scan.heartbeat(1, 0, "run scan", t0, time.Hour)
	count := btNewFlight(t, srv.st, 9, time.Now().Add(-10*time.Minute))
	count.finished(1, 0, "run count", count.t0, count.t0.Add(2*time.Second))

	type lists struct {
		Results, Earlier    []string // the hrefs of each list's rows
		Hidden, Above       bool     // the earlier list is hidden; it sits above the results
		Title, Status       string
		Running, RunningTip string // the scan's row: its mark and the mark's title
		Dur, Name           string
	}
	b := btStartBrowser(t, 2*time.Minute)
	read := func() lists {
		t.Helper()
		var v lists
		b.eval(fmt.Sprintf(`(() => {
			const hrefs = (sel) => [...document.querySelectorAll(sel + ' a.result')].map((a) => a.getAttribute('href'));
			const box = document.querySelector('#earlier');
			const a = document.querySelector('#earlier-list a.result[href="/trace/%s"]');
			const q = (s) => (a && a.querySelector(s)) || {};
			return { Results: hrefs('#results'), Earlier: hrefs('#earlier-list'), Hidden: box.hidden,
				Above: Boolean(box.compareDocumentPosition(document.querySelector('#results')) & Node.DOCUMENT_POSITION_FOLLOWING),
				Title: document.querySelector('#earlier-title').textContent, Status: document.querySelector('#status').textContent,
				Running: q('.r-running').textContent || '', RunningTip: q('.r-running').title || '',
				Dur: q('.r-dur-text').textContent || '', Name: q('.r-root').textContent || '' };
		})()`, scan.hex()), &v)
		return v
	}
	both := fmt.Sprintf(`document.querySelector('#earlier-list a.result[href="/trace/%s"]') !== null
		&& !document.querySelector('#earlier').hidden`, scan.hex())

	// The default search, the last hour: the finished trace in the
	// results, the scan above them.
	b.navigate(srv.url + "/")
	b.wait("the results and the running scan above them", fmt.Sprintf(`document.querySelectorAll('#results a.result').length === 1 && %s`, both), 10*time.Second)
	v := read()
	if fmt.Sprint(v.Results) != "[/trace/"+count.hex()+"]" || fmt.Sprint(v.Earlier) != "[/trace/"+scan.hex()+"]" || v.Hidden || !v.Above ||
		!strings.HasPrefix(v.Title, "Running, started earlier") || v.Status != "1 trace ● live" {
		t.Errorf("the lists: %+v", v)
	}
	if v.Name != "run scan" || v.Running != "● running" || !strings.Contains(v.RunningTip, "1 span still running") || !strings.HasPrefix(v.Dur, "running 2h") {
		t.Errorf("the running scan's row: %+v", v)
	}

	// Not in progress: the list is not even asked for (a poll has run).
	b.navigate(srv.url + "/?in_progress=false")
	b.wait("the finished trace and a poll", `document.querySelectorAll('#results a.result').length === 1
		&& performance.getEntriesByType('resource').some((e) => e.name.includes('/api/v1/traces?') && e.name.includes('limit=100'))`, 10*time.Second)
	var asked []string
	b.eval(`performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('in_progress=true'))`, &asked)
	if v := read(); len(asked) != 0 || !v.Hidden || len(v.Earlier) != 0 {
		t.Errorf("with in_progress=false: asked %v; lists %+v", asked, v)
	}
	// In progress: no result in the last hour, the scan above.
	b.navigate(srv.url + "/?in_progress=true")
	b.wait("no results, the scan above", `document.querySelector('#status').textContent.startsWith('No traces match.') && `+both, 10*time.Second)

	// The scan finishes: it leaves the list, without a reload.
	b.navigate(srv.url + "/")
	b.wait("the running scan", both, 10*time.Second)
	b.eval(`window.__marker = 'not reloaded'`, nil)
	scan.stop(1, 0, "run scan", t0, time.Now())
	b.wait("the finished scan gone from the list", `document.querySelector('#earlier').hidden
		&& document.querySelectorAll('#earlier-list li').length === 0`, 10*time.Second)
	var marker string
	b.eval(`window.__marker`, &marker)
	if v := read(); marker != "not reloaded" || fmt.Sprint(v.Results) != "[/trace/"+count.hex()+"]" {
		t.Errorf("after the scan finished: marker %q, lists %+v", marker, v)
	}
	b.checkClean()
}

// btInflightChecks runs in the page: the model's spans in flight
// (tree.js), the server clock (live.js) and fmtElapsed, against hand-made
// answers. It returns the failures, one line each.
const btInflightChecks = `(async () => {
  const { TraceModel, newView } = await import('/static/js/tree.js');
  const { ServerClock } = await import('/static/js/live.js');
  const { fmtElapsed } = await import('/static/js/format.js');
  const fails = [];
  const eq = (what, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) fails.push(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
  };
  const T0 = 1700000000000000000n;
  const t = (ns) => String(T0 + BigInt(ns));
  const sp = (id, parent, name, start, end, extra) => Object.assign({
    span_id: id, parent_span_id: parent, name, resource: 0, status_code: 'unset', attributes: {},
    start_unix_nano: t(start), end_unix_nano: end === 0 ? '0' : t(end), state: 'finished', last_heard_unix_nano: 0,
  }, extra || {});
  const open = (heard) => ({ state: 'open', last_heard_unix_nano: t(heard) });
  const lost = (heard) => ({ state: 'lost', last_heard_unix_nano: t(heard) });
  const res = [{ attributes: { 'service.name': 'engine' } }];
  const names = (m, view) => m.flatten(view || newView()).map((r) => ' '.repeat(r.depth) +
    (r.item.group ? r.item.name + ' x' + r.item.count : r.item.name));
  const node = (m, id) => { const n = m.find(id); return [n.state, n.start, n.end, n.dur]; };

  // A page: open spans end when last heard until the clock ticks; lost
  // ones when last heard; neither counts in the finished end.
  let m = new TraceModel(3);
  m.addPage({ resources: res, summary: { start_unix_nano: t(0) }, spans: [
    sp('r', '', 'run', 0, 0, open(50)), sp('a', 'r', 'read', 10, 20), sp('b', 'r', 'read', 30, 0, open(40)),
    sp('c', 'r', 'read', 35, 45), sp('d', 'r', 'acquire', 36, 0, lost(60))] });
  eq('open', node(m, 'b'), ['open', 30, 40, 10]);
  eq('lost', node(m, 'd'), ['lost', 36, 60, 24]);
  eq('sets and ends', [m.open.size, m.lost.size, m.end, m.openEnd], [2, 1, 60, 50]);
  const g = m.itemsOf(m.find('r'))[0];
  eq('group', [g.name, g.count, g.open, g.lost, g.end, g.max], ['read', 3, 1, 0, 45, 10]);
  eq('tick', [m.tick(100), node(m, 'b'), node(m, 'r'), m.openEnd], [100, ['open', 30, 100, 70], ['open', 0, 100, 100], 100]);
  eq('group follows its open member', [g.end, g.max], [100, 70]);

  // Changes: a known span is replaced in place, a new one goes where its
  // start puts it; the group keeps its key when an earlier member arrives.
  const view = newView();
  view.expanded.add(g.key);
  const touched = m.addChanges({ resources: [{ attributes: { 'service.name': 'engine' } }], spans: [
    sp('b', 'r', 'read', 30, 80, { status_code: 'error' }), sp('e', 'r', 'read', 5, 8), sp('f', 'r', 'wait', 32, 0, open(90))] });
  eq('touched', touched.map((n) => n.id), ['b', 'e', 'f']);
  eq('finished', [node(m, 'b'), m.find('b').error, m.errorCount, m.open.size, m.spanCount], [['finished', 30, 80, 50], true, 1, 2, 7]);
  eq('ends after the change', [m.end, m.openEnd], [80, 100]);
  eq('rows', names(m, view), ['run', ' read x4', '  read', '  read', '  read', '  read', ' wait', ' acquire']);
  eq('member order', m.itemsOf(m.find('r'))[0].members.map((n) => n.id), ['e', 'a', 'b', 'c']);
  m.addChanges({ resources: res, spans: [sp('r', '', 'run', 0, 120), sp('f', 'r', 'wait', 32, 0, lost(95)), sp('d', 'r', 'acquire', 36, 0, open(130))] });
  eq('open again, lost, finished', [node(m, 'r'), node(m, 'f'), m.find('d').state, m.open.size, m.lost.size, m.end],
    [['finished', 0, 120, 120], ['lost', 32, 95, 63], 'open', 1, 1, 120]);
  // A new parent adopts what waited for it.
  m.addChanges({ resources: res, spans: [sp('h', 'g', 'settle', 50, 55)] });
  m.addChanges({ resources: res, spans: [sp('g', 'r', 'move', 40, 0, open(140))] });
  eq('adopted', names(m).slice(-3), [' acquire', ' move', '  settle']);

  // The server's clock: offset 0 while the bounds allow it; else the nearest.
  const c = new ServerClock();
  c.sample({ sent: 1000, received: 1100, date: 1000 }, 0);
  eq('in step', [c.offset, c.lo, c.hi], [0, -100, 1000]);
  const ahead = new ServerClock();
  ahead.sample({ sent: 1000, received: 1100, date: 11000 }, 0);
  eq('ahead', ahead.offset, 9900);
  ahead.sample({ sent: 2000, received: 2050, date: 12000 }, String(13000n * 1000000n));
  eq('ahead, narrowed by a heartbeat', [ahead.offset, ahead.hi], [10950, 11000]);
  ahead.sample({ sent: 3000, received: 3010, date: 3000 }, 0);
  eq('set back: start again', ahead.offset, 0);
  const behind = new ServerClock();
  behind.sample({ sent: 5000, received: 5010, date: 1000 }, 0);
  eq('behind', behind.offset, -3000);

  eq('fmtElapsed', [850e6, 45.9e9, 123e9, (2 * 3600 + 13 * 60 + 5) * 1e9, (76 * 3600 + 59 * 60) * 1e9].map(fmtElapsed),
    ['850 ms', '45s', '2m 3s', '2h 13m', '3d 4h']);
  return fails;
})()`

// TestBrowserInflightModel checks, in chromium where the modules run,
// how tree.js holds spans in flight and merges changes, live.js's server
// clock and format.js's fmtElapsed.
func TestBrowserInflightModel(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	b := btStartBrowser(t, time.Minute)
	b.navigate(srv.url + "/logs")
	var fails []string
	b.eval(btInflightChecks, &fails)
	for _, f := range fails {
		t.Error(f)
	}
	b.checkClean()
}
