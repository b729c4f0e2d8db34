package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The viewer in headless chromium against the API over a real store:
// skipped without /usr/bin/chromium unless CI is set (see btNeedChromium).

const btFirstRow = `document.documentElement.dataset.firstRow === 'painted'`

const btAllLoaded = `document.documentElement.dataset.loaded === 'all'`

func TestBrowserScanTrace(t *testing.T) {
	btNeedChromium(t)
	scan := btScanTrace(1, time.Now().Add(-time.Minute))
	srv := btStartServer(t, scan.btTrace)
	b := btStartBrowser(t, 2*time.Minute)

	// The search page lists it (default range: the last hour).
	b.navigate(srv.url + "/")
	b.wait("the scan in the results", `[...document.querySelectorAll('.r-root')].some((e) => e.textContent === 'run scan')`, 10*time.Second)
	if got, want := b.text(".result .r-spans"), fmt.Sprintf("%s spans", btCount(scan.td.SpanCount())); got != want {
		t.Errorf("result span count %q, want %q", got, want)
	}
	if got := b.text(".result .r-errors"); got != "⚠ 1 error" {
		t.Errorf("result errors %q", got)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("a.result"))); err != nil {
		t.Fatal(err)
	}
	b.wait("the first waterfall row", btFirstRow, 10*time.Second)
	b.wait("all spans", btAllLoaded, 10*time.Second)
	var path string
	b.eval(`location.pathname`, &path)
	if path != "/trace/"+scan.hex() {
		t.Errorf("the result opened %s", path)
	}

	// The root, its children, and the 2,000 reads as one group row.
	rows := b.rows()
	var names []string
	for _, r := range rows {
		names = append(names, r.Name+r.Count)
	}
	want := []string{"run scan", "dispatch open_run", "stage det1", "stage det1", "set motor1", "move motor1",
		"wait", "trigger det1", "acquire det1", "read det1×2,000", "dispatch close_run"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	group := rows[9]
	if !group.Group || !group.Err || group.Level != "2" || group.Dur != "min 1 ms · med 1.5 ms · max 2 ms · 1 error" {
		t.Errorf("group row %+v", group)
	}
	if rows[0].Level != "1" || rows[5].Level != "3" || rows[5].Svc != "motor1" {
		t.Errorf("levels or services: root %+v, move %+v", rows[0], rows[5])
	}

	// Select the group: its statistics in the details panel.
	b.clickRow("read det1", true)
	for sel, want := range map[string]string{".d-min": "1 ms", ".d-median": "1.5 ms", ".d-max": "2 ms"} {
		if got := b.text(sel); got != want {
			t.Errorf("group details %s = %q, want %q", sel, got, want)
		}
	}

	// Expand it with the keyboard: the members are rows, virtualised.
	b.key(kb.Enter)
	b.wait("the members", `document.querySelectorAll('.wf-row:not(.group)').length > 40`, 5*time.Second)
	var spacer int
	b.eval(`Math.round(document.querySelector('.wf-spacer').getBoundingClientRect().height)`, &spacer)
	if want := (11 + btScanReads) * 24; spacer != want {
		t.Errorf("spacer height %d, want %d", spacer, want)
	}
	if n := len(b.rows()); n >= 200 {
		t.Errorf("%d rows in the DOM, want fewer than 200", n)
	}

	// Arrow down to the fourth read (point 3): its attributes, exactly.
	b.key(kb.ArrowDown + kb.ArrowDown + kb.ArrowDown + kb.ArrowDown)
	read3 := scan.reads[3].SpanID().String()
	b.wait("point 3 selected", fmt.Sprintf(`document.querySelector('.d-span-id') && document.querySelector('.d-span-id').textContent === %q`, read3), 5*time.Second)
	for _, r := range b.rows() {
		if r.Sel && (r.Name != "read det1" || r.Count != "#4" || r.Level != "3") {
			t.Errorf("selected row %+v, want the 4th member of the group", r)
		}
	}
	got := b.attrs(".d-attrs")
	wantAttrs := map[string]string{"msg.command": "read", "msg.obj": "det1", "point": "3", "det1.value": "1003"}
	if fmt.Sprint(got) != fmt.Sprint(wantAttrs) {
		t.Errorf("attributes %v, want %v", got, wantAttrs)
	}
	if d := b.text(".d-duration"); d != "1.75 ms" {
		t.Errorf("duration %q, want 1.75 ms", d)
	}
	if res := b.attrs(".d-resource"); res["service.name"] != "bluesky-engine" || res["host.name"] != "beamline-7.example" {
		t.Errorf("resource %v", res)
	}
	var search string
	b.eval(`location.search`, &search)
	if search != "?span="+read3 {
		t.Errorf("the address keeps the selection as %q, want ?span=%s", search, read3)
	}
	// Left goes to the parent row (the group), Enter folds it again.
	b.key(kb.ArrowLeft)
	b.key(kb.Enter)
	b.wait("the group folded", `document.querySelectorAll('.wf-row').length === 11`, 5*time.Second)
	b.checkClean()
}

func TestBrowserLogsAndSpanLink(t *testing.T) {
	btNeedChromium(t)
	scan := btScanTrace(1, time.Now().Add(-time.Minute))
	srv := btStartServer(t, scan.btTrace)
	b := btStartBrowser(t, 2*time.Minute)

	b.navigate(srv.url + "/logs?trace_id=" + scan.hex())
	b.wait("the trace's logs", `document.querySelectorAll('li.log').length === 5`, 10*time.Second)
	var logs []struct{ Sev, Svc, Body, Trace, Span string }
	b.eval(`[...document.querySelectorAll('li.log')].map((l) => ({
		Sev: l.querySelector('.sev').textContent,
		Svc: l.querySelector('.svc-chip').textContent,
		Body: l.querySelector('.l-body').textContent,
		Trace: l.querySelector('a.l-trace').getAttribute('href'),
		Span: l.querySelector('a.l-span').getAttribute('href'),
	}))`, &logs)
	// Newest first.
	if len(logs) != 5 || logs[0].Body != "run 7 finished: success" || logs[4].Body != "run 7 started: scan det1 over motor1" {
		t.Fatalf("logs %+v", logs)
	}
	bad := scan.bad.SpanID().String()
	var errLog int = -1
	for i, l := range logs {
		if l.Trace != "/trace/"+scan.hex() {
			t.Errorf("log %d links to %s", i, l.Trace)
		}
		if l.Sev == "ERROR" {
			errLog = i
		}
	}
	if errLog < 0 || logs[errLog].Body != "det1: read timed out after 50ms" || logs[errLog].Svc != "bluesky-engine" ||
		logs[errLog].Span != "/trace/"+scan.hex()+"?span="+bad {
		t.Fatalf("error log %d of %+v", errLog, logs)
	}
	// Its attributes unfold.
	b.eval(fmt.Sprintf(`document.querySelectorAll('li.log')[%d].querySelector('.l-attrs-toggle').click()`, errLog), nil)
	if got := b.attrs(".l-attrs"); got["point"] != "1234" {
		t.Errorf("log attributes %v", got)
	}
	b.checkClean()

	// The span link opens the trace with that read selected inside its
	// expanded group, scrolled into view.
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`li.log:nth-child(%d) a.l-span`, errLog+1)))); err != nil {
		t.Fatal(err)
	}
	b.wait("the linked span selected", fmt.Sprintf(`document.querySelector('.d-span-id') && document.querySelector('.d-span-id').textContent === %q`, bad), 10*time.Second)
	var sel []btRow
	for _, r := range b.rows() {
		if r.Sel {
			sel = append(sel, r)
		}
	}
	if len(sel) != 1 || sel[0].Name != "read det1" || sel[0].Group || !sel[0].Err {
		t.Errorf("selected rows %+v", sel)
	}
	if s := b.text(".d-title"); !strings.Contains(s, "error") {
		t.Errorf("details title %q lacks the error mark", s)
	}
	b.wait("the span's logs in the details", `[...document.querySelectorAll('.d-loglist .log-body')].some((e) => e.textContent === 'det1: read timed out after 50ms')`, 5*time.Second)
	b.checkClean()
}

func TestBrowserXSS(t *testing.T) {
	btNeedChromium(t)
	x := btXSSTrace(2, time.Now().Add(-time.Minute))
	srv := btStartServer(t, x)
	b := btStartBrowser(t, 2*time.Minute)
	inert := func(page string) {
		t.Helper()
		var state struct {
			XSS      string
			Injected int
		}
		b.eval(`({XSS: typeof window.__xss, Injected: document.querySelectorAll('img[src="x"], iframe, svg, b, script:not([src])').length})`, &state)
		if state.XSS != "undefined" || state.Injected != 0 {
			t.Errorf("%s: window.__xss is %s, %d injected elements", page, state.XSS, state.Injected)
		}
	}

	b.navigate(srv.url + "/?range=all")
	b.wait("the result", `document.querySelector('.r-root')`, 10*time.Second)
	if got := b.text(".r-root"); got != btXSSName {
		t.Errorf("search result name %q", got)
	}
	inert("search")

	b.navigate(srv.url + "/trace/" + x.hex())
	b.wait("the first row", btFirstRow, 10*time.Second)
	rows := b.rows()
	if len(rows) != 2 || rows[0].Name != btXSSName || rows[1].Name != `"><img src=x onerror=window.__xss=8>` ||
		rows[0].Svc != `<b onmouseover=window.__xss=3>svc</b>` {
		t.Errorf("rows %+v", rows)
	}
	b.clickRow(btXSSName, false)
	b.wait("details", `document.querySelector('.d-attrs')`, 5*time.Second)
	if got := b.text(".d-name"); got != btXSSName {
		t.Errorf("details name %q", got)
	}
	attrs := b.attrs(".d-attrs")
	if attrs["payload"] != btXSSAttr || attrs[`<img src=x onerror=window.__xss=4>`] != "key with markup" {
		t.Errorf("attributes %v", attrs)
	}
	if got := b.text(".d-events strong"); got != `<iframe src="javascript:window.__xss=6">` {
		t.Errorf("event name %q", got)
	}
	if got := b.text(".d-link-attrs td"); got != `"><script>window.__xss=7</script>` {
		t.Errorf("link attribute %q", got)
	}
	if got := b.text(".kv .status"); !strings.Contains(got, `<svg onload=window.__xss=5>`) {
		t.Errorf("status %q", got)
	}
	b.wait("the logs section", `document.querySelector('.d-logs .muted, .d-logs ol')`, 5*time.Second)
	inert("trace")
	b.checkClean()

	b.navigate(srv.url + "/logs?trace_id=" + x.hex())
	b.wait("the log", `document.querySelector('li.log')`, 10*time.Second)
	if got := b.text(".l-body"); got != `<script>window.__xss=9</script>` {
		t.Errorf("log body %q", got)
	}
	inert("logs")
	b.checkClean()
}

func TestBrowserLargeTraces(t *testing.T) {
	btNeedChromium(t)
	t0 := time.Now().Add(-time.Hour / 2)
	sizes := []int{10_000, 100_000}
	traces := make([]*btTrace, len(sizes))
	for i, n := range sizes {
		traces[i] = btBigTrace(n, t0)
	}
	srv := btStartServer(t, traces...)
	b := btStartBrowser(t, 4*time.Minute)
	for i, n := range sizes {
		tr := traces[i]
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b.t = t
			start := time.Now()
			b.navigate(srv.url + "/trace/" + tr.hex())
			b.wait("the first row", btFirstRow, 30*time.Second)
			first := time.Since(start)
			if r := b.rows(); len(r) == 0 || len(r) >= 200 || r[0].Name != fmt.Sprintf("run big %d", n) {
				t.Fatalf("after the first page: %d rows, first %+v", len(r), r[:min(1, len(r))])
			}
			b.wait("every page", btAllLoaded, 2*time.Minute)
			t.Logf("%d spans: first row after %v, all after %v", n, first.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			var spacer int
			b.eval(`Math.round(document.querySelector('.wf-spacer').getBoundingClientRect().height)`, &spacer)
			if spacer != n*24 {
				t.Errorf("spacer height %d, want %d (every span a row)", spacer, n*24)
			}
			points := n/100 - 1
			last := fmt.Sprintf("read det1 p%d.%d", points-1, n-1-points-99*(points-1)-1)
			b.eval(`(() => { const s = document.querySelector('.wf-scroll'); s.scrollTop = s.scrollHeight; })()`, nil)
			b.wait("the last row", fmt.Sprintf(`(() => { const r = document.querySelectorAll('.wf-row');
				return r.length && r[r.length - 1].querySelector('.wf-name').textContent === %q; })()`, last), 10*time.Second)
			if r := b.rows(); len(r) >= 200 {
				t.Errorf("%d rows in the DOM at the bottom, want fewer than 200", len(r))
			}
			// End selects the last row; its details show.
			b.eval(`document.querySelector('.wf-scroll').focus()`, nil)
			b.key(kb.End)
			b.wait("the last span's details", fmt.Sprintf(`(document.querySelector('.d-name') || {}).textContent === %q`, last), 10*time.Second)
			b.checkClean()
		})
	}
}

func TestBrowserScreenshot(t *testing.T) {
	btNeedChromium(t)
	scan := btScanTrace(1, time.Now().Add(-time.Minute))
	srv := btStartServer(t, scan.btTrace)
	b := btStartBrowser(t, 2*time.Minute)
	move := scan.move.SpanID().String()
	b.navigate(srv.url + "/trace/" + scan.hex() + "?span=" + move)
	b.wait("the selected span's logs", `document.querySelector('.d-loglist')`, 10*time.Second)
	b.wait("all spans", btAllLoaded, 10*time.Second)
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	b.checkClean()
	out := filepath.Join(t.ArtifactDir(), "screenshot-trace.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(png))
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		doc := filepath.Join("..", "..", "docs", "screenshot-trace.png")
		if err := os.WriteFile(doc, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", doc)
	}
}

// btCount writes n with thousands separators, as the viewer does.
func btCount(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
