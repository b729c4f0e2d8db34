package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

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
