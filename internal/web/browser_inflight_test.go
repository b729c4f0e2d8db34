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
