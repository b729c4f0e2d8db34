package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

var (
	scanSpan = pcommon.SpanID{0x5c, 0xa0, 0, 0, 0, 0, 0, 1} // open, a child of the cart root
	deadSpan = pcommon.SpanID{0xde, 0xad, 0, 0, 0, 0, 0, 1} // lost
)

// announce posts a heartbeat of a child of the cart root to st.
func announce(t *testing.T, st *store.Store, id pcommon.SpanID, name string, interval time.Duration, attrs ...string) {
	t.Helper()
	td := announcetest.Span("checkout", cartTrace, id, cartRoot, name, fixtureT0.Add(20*time.Millisecond), time.Time{})
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	for i := 0; i+1 < len(attrs); i += 2 {
		sp.Attributes().PutStr(attrs[i], attrs[i+1])
	}
	res, err := st.AppendLogs(context.Background(), announcetest.Heartbeat(td, interval, time.Now()))
	if err != nil || res.Rejected != 0 {
		t.Fatalf("heartbeat: %+v, %v", res, err)
	}
}

// inflightAPI is the fixtures' API with, in the cart trace, an open span
// (scan) and a lost one (dead).
func inflightAPI(t *testing.T) (*store.Store, *httptest.Server) {
	t.Helper()
	st, srv := newTestAPI(t, nil)
	announce(t, st, deadSpan, "dead", 10*time.Millisecond)
	announce(t, st, scanSpan, "scan", time.Hour, "step", "1")
	poll.Until(t, 10*time.Second, "the dead span lost", func() bool {
		var p store.TracePage
		getJSON(t, srv, "/api/v1/traces/"+cartHex, http.StatusOK, &p)
		return p.Summary.LostSpans == 1
	})
	return st, srv
}

func TestAPITraceInFlight(t *testing.T) {
	st, srv := inflightAPI(t)
	var p store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+cartHex, http.StatusOK, &p)
	states := map[string]string{}
	for _, sp := range p.Spans {
		states[sp.Name] = sp.State
		switch sp.State {
		case store.StateFinished:
			if sp.LastHeardUnixNano != 0 || sp.EndUnixNano == 0 {
				t.Errorf("finished %s: end %d, last heard %d", sp.Name, sp.EndUnixNano, sp.LastHeardUnixNano)
			}
		default:
			if sp.LastHeardUnixNano == 0 || sp.EndUnixNano != 0 {
				t.Errorf("%s %s: end %d, last heard %d", sp.State, sp.Name, sp.EndUnixNano, sp.LastHeardUnixNano)
			}
		}
	}
	want := map[string]string{"GET /cart": "finished", "db query": "finished", "scan": "open", "dead": "lost"}
	for name, state := range want {
		if states[name] != state {
			t.Errorf("span %s: state %q, want %q (all: %v)", name, states[name], state, states)
		}
	}
	s := p.Summary
	if s.SpanCount != 4 || s.OpenSpans != 1 || s.LostSpans != 1 || !s.InProgress || s.LastHeardUnixNano == 0 || p.Changes == "" {
		t.Errorf("summary %+v, changes %q", s, p.Changes)
	}

	// The page's token: nothing changed yet; then only the new heartbeat.
	var ch store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?changes_since="+url.QueryEscape(p.Changes), http.StatusOK, &ch)
	if len(ch.Spans) != 0 || ch.Changes == "" || ch.Reset {
		t.Fatalf("unchanged: %+v", ch)
	}
	announce(t, st, scanSpan, "scan", time.Hour, "step", "2")
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?changes_since="+url.QueryEscape(ch.Changes), http.StatusOK, &ch)
	if len(ch.Spans) != 1 || ch.Spans[0].Name != "scan" || ch.Spans[0].Attributes["step"] != "2" || ch.Spans[0].State != "open" {
		t.Fatalf("changes: %+v", ch.Spans)
	}
	if len(ch.Resources) != 1 || ch.Summary.SpanCount != 4 {
		t.Errorf("changes: resources %+v, summary %+v", ch.Resources, ch.Summary)
	}

	// Search.
	var res store.TraceSearch
	getJSON(t, srv, "/api/v1/traces?in_progress=true", http.StatusOK, &res)
	if len(res.Traces) != 1 || res.Traces[0].TraceID != cartHex || !res.Traces[0].InProgress {
		t.Errorf("in_progress=true: %+v", res.Traces)
	}
	getJSON(t, srv, "/api/v1/traces?in_progress=false", http.StatusOK, &res)
	if len(res.Traces) != 1 || res.Traces[0].TraceID != moveHex {
		t.Errorf("in_progress=false: %+v", res.Traces)
	}
}

func TestAPIChangesErrors(t *testing.T) {
	_, srv := inflightAPI(t)
	var p store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?limit=1", http.StatusOK, &p)
	var move store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+moveHex, http.StatusOK, &move)
	for _, tc := range []struct {
		query, field string
	}{
		{"changes_since=nonsense", "changes_since"},
		{"changes_since=", "changes_since"},
		{"changes_since=" + url.QueryEscape(move.Changes), "changes_since"},
		{"changes_since=" + url.QueryEscape(p.Changes) + "&cursor=" + url.QueryEscape(p.Cursor), "cursor"},
		{"in_progress=maybe", "in_progress"},
	} {
		path := "/api/v1/traces/" + cartHex + "?" + tc.query
		if strings.HasPrefix(tc.query, "in_progress") {
			path = "/api/v1/traces?" + tc.query
		}
		var e apiErr
		getJSON(t, srv, path, http.StatusBadRequest, &e)
		if e.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.query, e.Field, tc.field, e.Error)
		}
	}
	var e apiErr
	getJSON(t, srv, "/api/v1/traces/"+unknownHex+"?changes_since="+url.QueryEscape(p.Changes), http.StatusBadRequest, &e)
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?changes_since="+url.QueryEscape(p.Changes)+"&limit=2", http.StatusOK, &p)
}

// TestAPIOTLPInFlight: the OTLP download and Tempo's routes hold the open
// and lost spans, ending when last heard, marked sightline.span.state.
func TestAPIOTLPInFlight(t *testing.T) {
	_, srv := inflightAPI(t)
	for _, tc := range []struct {
		path, accept string
	}{
		{"/api/v1/traces/" + cartHex + "/otlp", ""},
		{"/api/traces/" + cartHex, "application/protobuf"},
	} {
		resp, body := get(t, srv, tc.path, "Accept", tc.accept)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
		var td ptrace.Traces
		var err error
		if tc.accept == "" {
			td, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
		} else {
			td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
		}
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					sp := spans.At(k)
					state := "finished"
					if v, ok := sp.Attributes().Get(store.AttrSpanState); ok {
						state = v.Str()
						if sp.EndTimestamp() < sp.StartTimestamp() || sp.EndTimestamp() == 0 {
							t.Errorf("%s: %s span %s without an end", tc.path, state, sp.Name())
						}
					}
					states[sp.Name()] = state
				}
			}
		}
		if states["scan"] != "open" || states["dead"] != "lost" || states["GET /cart"] != "finished" || len(states) != 4 {
			t.Errorf("%s: states %v", tc.path, states)
		}
	}
}
