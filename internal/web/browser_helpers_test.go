package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sightline-dev/sightline/internal/store"
)

// btChromium is Debian's chromium, which the browser tests drive.
const btChromium = "/usr/bin/chromium"

// btServer is the viewer and the API over a store in a temporary
// directory, on loopback, as `sightline serve` mounts them.
type btServer struct {
	st  *store.Store
	url string
}

func btStartServer(t testing.TB, traces ...*btTrace) *btServer {
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
		if b.ld.LogRecordCount() > 0 {
			if res, err := st.AppendLogs(ctx, b.ld); err != nil || res.Rejected != 0 {
				t.Fatalf("append logs: %+v, %v", res, err)
			}
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", NewAPI(st, nil))
	mux.Handle("/", NewUI())
	srv := httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(srv.Close)
	return &btServer{st: st, url: srv.URL}
}

// btBrowser is one headless chromium with one tab, and what went wrong in
// its pages: uncaught exceptions, console errors, CSP violations.
type btBrowser struct {
	t   testing.TB
	ctx context.Context // the tab, with the test's deadline

	mu       sync.Mutex
	problems []string
}

// btNeedChromium skips the test when chromium is missing, unless CI is
// set: CI installs it (.ci/run), so there its absence is a failure.
func btNeedChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(btChromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser test: %s is missing and CI is set (.ci/run installs Debian's chromium): %v", btChromium, err)
		}
		t.Skipf("browser test skipped: %s is missing (apt-get install chromium)", btChromium)
	}
}

func btStartBrowser(t testing.TB, timeout time.Duration) *btBrowser {
	t.Helper()
	btNeedChromium(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(btChromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(tabCtx); err != nil { // starts the browser, with no deadline
		t.Fatalf("start %s: %v", btChromium, err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(cancel)
	b := &btBrowser{t: t, ctx: ctx}
	err := chromedp.Listen(tabCtx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			b.problem("exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1)
		case *runtime.EventConsoleAPICalled:
			// BT_DEBUG=1 shows the pages' console.log calls.
			if ev.Type == runtime.ConsoleAPICalledTypeLog && os.Getenv("BT_DEBUG") != "" {
				for _, a := range ev.Args {
					fmt.Println("console.log:", string(a.Value))
				}
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.problem("console.error: %s", strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Record CSP violations in the page (DevTools scripts are not subject
	// to the page's CSP).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation',
			(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));`,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *btBrowser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// checkClean fails the test for any exception, console error or CSP
// violation seen so far in the current page.
func (b *btBrowser) checkClean() {
	b.t.Helper()
	var csp []string
	b.eval(`window.__csp || []`, &csp)
	for _, v := range csp {
		b.problem("CSP violation: %s", v)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("page: %s", p)
	}
	b.problems = nil
}

// navigate loads url and waits for the document to be ready.
func (b *btBrowser) navigate(url string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("navigate %s: %v", url, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into v.
func (b *btBrowser) eval(expr string, v any) {
	b.t.Helper()
	if err := b.evalErr(expr, v); err != nil {
		b.t.Fatal(err)
	}
}

func (b *btBrowser) evalErr(expr string, v any) error {
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", expr, err)
	}
	if v != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("evaluate %s: decode %s: %w", expr, raw, err)
		}
	}
	return nil
}

// wait evaluates expr every 20 ms until it is truthy (chromedp's Poll
// builds its predicate with new Function, which the page's CSP forbids).
func (b *btBrowser) wait(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// An error (such as a page that is navigating) counts as false.
		var ok bool
		err := b.evalErr(`(() => { try { return Boolean(`+expr+`); } catch { return false; } })()`, &ok)
		if err == nil && ok {
			return
		}
		if b.ctx.Err() != nil {
			b.t.Fatalf("waiting for %s: %v", what, err)
		}
		b.mu.Lock()
		failed := len(b.problems) > 0
		b.mu.Unlock()
		if failed || time.Now().After(deadline) {
			var body string
			b.eval(`document.body ? document.body.innerText.slice(0, 2000) : ''`, &body)
			b.checkClean()
			b.t.Fatalf("gave up waiting for %s (%s; timeout %v); the page shows:\n%s", what, expr, timeout, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// text returns the textContent of the first element matching a CSS
// selector ("" when none).
func (b *btBrowser) text(sel string) string {
	b.t.Helper()
	var s string
	b.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ''`, sel), &s)
	return s
}

// rows returns the waterfall rows in the DOM, top to bottom.
type btRow struct {
	Name, Count, Dur, Svc string
	Group, Err, Sel       bool
	Level                 string
}

func (b *btBrowser) rows() []btRow {
	b.t.Helper()
	var rows []btRow
	b.eval(`[...document.querySelectorAll('.wf-row')].map((r) => ({
		Name: r.querySelector('.wf-name').textContent,
		Count: r.querySelector('.wf-count').textContent,
		Dur: r.querySelector('.wf-dur').textContent,
		Svc: r.querySelector('.wf-svc').textContent,
		Group: r.classList.contains('group'),
		Err: r.classList.contains('err'),
		Sel: r.classList.contains('sel'),
		Level: r.getAttribute('aria-level'),
	}))`, &rows)
	return rows
}

// clickRow clicks the DOM row whose name (and count, for a group) match.
func (b *btBrowser) clickRow(name string, group bool) {
	b.t.Helper()
	var ok bool
	b.eval(fmt.Sprintf(`(() => {
		const r = [...document.querySelectorAll('.wf-row')].find((r) =>
			r.querySelector('.wf-name').textContent === %q && r.classList.contains('group') === %v);
		if (!r) return false;
		r.querySelector('.wf-name').click();
		return true;
	})()`, name, group), &ok)
	if !ok {
		b.t.Fatalf("no waterfall row %q (group %v) in %+v", name, group, b.rows())
	}
}

// key sends key presses to the focused element.
func (b *btBrowser) key(keys string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(keys)); err != nil {
		b.t.Fatal(err)
	}
}

// attrs returns the rows of the attribute table matching sel as key -> value.
func (b *btBrowser) attrs(sel string) map[string]string {
	b.t.Helper()
	m := map[string]string{}
	b.eval(fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll(%q)].map((tr) =>
		[tr.querySelector('th').textContent, tr.querySelector('td').textContent]))`, sel+" tr"), &m)
	return m
}
