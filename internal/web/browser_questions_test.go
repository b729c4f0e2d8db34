package web

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The trace page's questions (tools.js) on a 20,000-span trace: find,
// next error, the critical path, compare. Each action is checked against
// figures computed here from the same spans, without the page fetching
// its trace again and without a main-thread task over 100 ms.

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
