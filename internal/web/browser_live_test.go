package web

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestBrowserSearchLive: the search form's query goes to the address and
// back, and a trace stored later appears on top without a reload.
func TestBrowserSearchLive(t *testing.T) {
	btNeedChromium(t)
	scan := btScanTrace(1, time.Now().Add(-time.Minute))
	srv := btStartServer(t, scan.btTrace)
	b := btStartBrowser(t, 2*time.Minute)

	b.navigate(srv.url + "/")
	b.wait("the services", `[...document.querySelectorAll('#f-service option')].some((o) => o.value === 'bluesky-engine')`, 10*time.Second)
	b.eval(`(() => { const s = document.querySelector('#f-service'); s.value = 'bluesky-engine'; s.dispatchEvent(new Event('change')); })()`, nil)
	b.wait("the span names", `[...document.querySelectorAll('#f-span option')].some((o) => o.value === 'read det1')`, 10*time.Second)
	b.eval(`(() => {
		document.querySelector('#f-span').value = 'read det1';
		document.querySelector('#f-add-attr').click();
		document.querySelector('.attr-input').value = 'plan_name=scan';
		document.querySelector('#f-min').value = '1s';
		document.querySelector('#f-errors').checked = true;
		document.querySelector('#search-form').requestSubmit();
	})()`, nil)
	want := "?service=bluesky-engine&span_name=read+det1&attr=plan_name%3Dscan&min_duration=1s&errors=true"
	b.wait("the query in the address", fmt.Sprintf(`location.search === %q`, want), 5*time.Second)
	b.wait("the result", `document.querySelectorAll('.result').length === 1`, 5*time.Second)

	// The address restores the form.
	b.navigate(srv.url + "/" + want)
	b.wait("the form restored", `document.querySelector('#f-span').value === 'read det1'`, 10*time.Second)
	var form []any
	b.eval(`[document.querySelector('#f-service').value, document.querySelector('.attr-input').value,
		document.querySelector('#f-min').value, document.querySelector('#f-errors').checked]`, &form)
	if fmt.Sprint(form) != "[bluesky-engine plan_name=scan 1s true]" {
		t.Errorf("form %v", form)
	}
	b.wait("the result", `document.querySelectorAll('.result').length === 1`, 5*time.Second)

	// A new matching trace appears on top within a poll or two.
	later := btScanTrace(3, time.Now())
	if _, err := srv.st.AppendTraces(context.Background(), later.td); err != nil {
		t.Fatal(err)
	}
	b.wait("the new trace on top", fmt.Sprintf(`(() => { const li = document.querySelector('#results li');
		return li && li.classList.contains('fresh') && li.querySelector('a').getAttribute('href') === %q
			&& document.querySelectorAll('.result').length === 2; })()`, "/trace/"+later.hex()), 10*time.Second)
	b.checkClean()
}

// TestBrowserLogsFollow: in follow mode new records appear on top.
func TestBrowserLogsFollow(t *testing.T) {
	btNeedChromium(t)
	scan := btScanTrace(1, time.Now().Add(-time.Minute))
	srv := btStartServer(t, scan.btTrace)
	b := btStartBrowser(t, 2*time.Minute)

	b.navigate(srv.url + "/logs?" + url.Values{"follow": {"true"}, "service": {"bluesky-engine"}}.Encode())
	b.wait("the engine's logs", `document.querySelectorAll('li.log').length === 4`, 10*time.Second)
	later := btScanTrace(3, time.Now())
	if _, err := srv.st.AppendLogs(context.Background(), later.ld); err != nil {
		t.Fatal(err)
	}
	b.wait("the new logs on top", `document.querySelectorAll('li.log').length === 8
		&& document.querySelector('li.log').classList.contains('fresh')`, 10*time.Second)
	var follow bool
	b.eval(`document.querySelector('#l-follow').checked`, &follow)
	if !follow {
		t.Error("the follow box is not checked")
	}
	b.checkClean()
}
