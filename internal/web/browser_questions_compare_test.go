package web

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBrowserQuestions' comparison of two traces (see browser_questions_test.go).

// btQCmpRow is a row of the comparison table: the cells' values (null:
// a dash), and the texts of the durations.
type btQCmpRow struct {
	Service, Name                              string
	CountA, CountB, TotalA, TotalB, MedA, MedB *float64
	Diff                                       float64
	TotalAText, TotalBText, MedAText, MedBText string
}

const btQCmpRowsJS = `[...document.querySelectorAll('.cmp-table tbody tr')].map((tr) => {
	const v = (c) => { const td = tr.querySelector('.' + c); return td.dataset.value === undefined ? null : Number(td.dataset.value); };
	const x = (c) => tr.querySelector('.' + c).textContent;
	return { Service: tr.dataset.service, Name: tr.dataset.name, CountA: v('c-count-a'), CountB: v('c-count-b'),
		TotalA: v('c-total-a'), TotalB: v('c-total-b'), MedA: v('c-median-a'), MedB: v('c-median-b'), Diff: v('c-diff'),
		TotalAText: x('c-total-a'), TotalBText: x('c-total-b'), MedAText: x('c-median-a'), MedBText: x('c-median-b') };
})`

func btQCompare(b *btQ, a, other *btQTrace) {
	t := b.t
	b.open(a.hex(), "")
	check := func(mine, theirs *btQTrace) {
		t.Helper()
		var rows []btQCmpRow
		b.eval(btQCmpRowsJS, &rows)
		fa, fb := mine.figures(), theirs.figures()
		if len(rows) != len(fa)+1 { // one name only in each
			t.Errorf("%d rows, want %d", len(rows), len(fa)+1)
		}
		byKey := map[[2]string]btQCmpRow{}
		for i, r := range rows {
			byKey[[2]string{r.Service, r.Name}] = r
			if i > 0 && r.Diff > rows[i-1].Diff {
				t.Errorf("row %d (%s) not sorted by the difference, descending: %v after %v", i, r.Name, r.Diff, rows[i-1].Diff)
			}
		}
		num := func(p *float64) string {
			if p == nil {
				return "–"
			}
			return fmt.Sprint(*p)
		}
		fig := func(m map[[2]string]btQFigures, k [2]string, f func(btQFigures) float64) string {
			x, ok := m[k]
			if !ok {
				return "–"
			}
			return fmt.Sprint(f(x))
		}
		keys := [][2]string{{"det", "read channel"}, {"worker-1", "task"}, {"worker-3", "task"}, {"store", "write chunk"},
			{"engine", "run scan"}, {"engine", "legacy checksum"}, {"store", "upload results"}, {"engine", "configure step"}}
		for _, k := range keys {
			r, ok := byKey[k]
			if !ok {
				t.Errorf("no row for %v", k)
				continue
			}
			got := []string{num(r.CountA), num(r.CountB), num(r.TotalA), num(r.TotalB), num(r.MedA), num(r.MedB)}
			want := []string{
				fig(fa, k, func(f btQFigures) float64 { return float64(f.Count) }), fig(fb, k, func(f btQFigures) float64 { return float64(f.Count) }),
				fig(fa, k, func(f btQFigures) float64 { return f.Total }), fig(fb, k, func(f btQFigures) float64 { return f.Total }),
				fig(fa, k, func(f btQFigures) float64 { return f.Median }), fig(fb, k, func(f btQFigures) float64 { return f.Median }),
			}
			if !slices.Equal(got, want) {
				t.Errorf("%v: count, total, median A and B %v, want %v", k, got, want)
			}
			if d := fb[k].Total - fa[k].Total; r.Diff != d {
				t.Errorf("%v: difference %v, want %v", k, r.Diff, d)
			}
			// The durations as the viewer writes them.
			var texts []string
			b.eval(fmt.Sprintf(`import('/static/js/format.js').then((f) => [%s].map((x) => x === null ? '–' : f.fmtDuration(x)))`,
				strings.Join([]string{jsNum(fa, k, true), jsNum(fb, k, true), jsNum(fa, k, false), jsNum(fb, k, false)}, ",")), &texts)
			if g := []string{r.TotalAText, r.TotalBText, r.MedAText, r.MedBText}; !slices.Equal(g, texts) {
				t.Errorf("%v: durations shown %q, want %q", k, g, texts)
			}
		}
	}

	b.action("compare with a recent trace", func() {
		b.eval(`document.querySelector('#compare-toggle').click()`, nil)
		pick := fmt.Sprintf(`.cmp-pick[data-trace=%q]`, other.hex())
		b.wait("the other run among the recent traces", `document.querySelector('`+pick+`')`, 10*time.Second)
		b.eval(`document.querySelector('`+pick+`').click()`, nil)
		b.wait("the comparison", `document.querySelector('.cmp-table tbody tr')`, 30*time.Second)
		check(a, other)
	})
	otherFetches := srvFetchesOnce(t, b.srv, other.hex())
	var search string
	b.eval(`location.search`, &search)
	if search != "?compare="+other.hex() {
		t.Errorf("the address says %q, want ?compare=%s", search, other.hex())
	}
	b.action("sort by the difference, ascending", func() {
		b.eval(`document.querySelector('.cmp-table th button[data-sort="diff"]').click()`, nil)
		var diffs []float64
		b.eval(`[...document.querySelectorAll('.cmp-table tbody .c-diff')].map((e) => Number(e.dataset.value))`, &diffs)
		if !slices.IsSorted(diffs) || len(diffs) < 10 {
			t.Errorf("differences not ascending: %v", diffs)
		}
	})
	b.action("compare again with the same trace", func() {
		b.eval(`document.querySelector('.cmp-close').click(); document.querySelector('#compare-toggle').click()`, nil)
		b.eval(fmt.Sprintf(`(() => { const i = document.querySelector('.cmp-id'); i.value = %q; i.form.requestSubmit(); })()`, other.hex()), nil)
		b.wait("the comparison again", `document.querySelector('.cmp-table tbody tr')`, 10*time.Second)
	})
	if n := len(b.srv.fetches(other.hex())); n != otherFetches {
		t.Errorf("the other trace was fetched again: %d requests, then %d", otherFetches, n)
	}

	// The address form, from the other trace's page: the roles swap.
	var swap string
	b.eval(`document.querySelector('.cmp-swap').getAttribute('href')`, &swap)
	if swap != "/trace/"+other.hex()+"?compare="+a.hex() {
		t.Errorf("link to the other trace %q", swap)
	}
	before := len(b.srv.fetches(a.hex()))
	b.open(other.hex(), "?compare="+a.hex())
	b.actionFrom("compare from the address (from the last page's merge)", `performance.getEntriesByName('sightline:all-spans')[0].startTime`, func() {
		b.wait("the comparison", `document.querySelector('.cmp-table tbody tr')`, 30*time.Second)
		check(other, a)
	})
	if got := b.srv.fetches(a.hex())[before:]; len(got) == 0 || btQRepeats(got) {
		t.Errorf("the compared trace's requests: %v, want each page once", got)
	}
}

// jsNum is a figure of k as a JavaScript number, null when missing.
func jsNum(m map[[2]string]btQFigures, k [2]string, total bool) string {
	f, ok := m[k]
	if !ok {
		return "null"
	}
	if total {
		return fmt.Sprint(f.Total)
	}
	return fmt.Sprint(f.Median)
}

// srvFetchesOnce checks that each page of trace id was requested once and
// returns how many there were.
func srvFetchesOnce(t testing.TB, srv *btQServer, id string) int {
	t.Helper()
	got := srv.fetches(id)
	first := 0
	for _, u := range got {
		if !strings.Contains(u, "cursor=") {
			first++
		}
	}
	if btQRepeats(got) {
		t.Errorf("a page requested twice: %v", got)
	}
	if first != 1 || len(got) < 2 {
		t.Errorf("the other trace's requests: %v, want its pages once each", got)
	}
	return len(got)
}

// btQRepeats says a request is in list twice.
func btQRepeats(list []string) bool {
	seen := map[string]bool{}
	for _, u := range list {
		if seen[u] {
			return true
		}
		seen[u] = true
	}
	return false
}
