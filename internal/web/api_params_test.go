package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestParamErrors: every bad parameter is answered 400 naming the field,
// echoing the bad value and saying what is allowed.
func TestParamErrors(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	long := strings.Repeat("a", 33)
	for _, c := range []struct {
		path, field, value string
	}{
		{"/api/v1/traces?servce=checkout", "servce", "checkout"},
		{"/api/v1/traces?service=a&service=b", "service", "b"},
		{"/api/v1/traces?attr=http.method", "attr", "http.method"},
		{"/api/v1/traces?attr==GET", "attr", "=GET"},
		{"/api/v1/traces?attr=a=1&attr=a=2", "attr", "a=2"},
		{"/api/v1/traces?min_duration=fast", "min_duration", "fast"},
		{"/api/v1/traces?min_duration=-1s", "min_duration", "-1s"},
		{"/api/v1/traces?max_duration=10", "max_duration", "10"},
		{"/api/v1/traces?min_duration=2s&max_duration=1s", "max_duration", "1s"},
		{"/api/v1/traces?errors=maybe", "errors", "maybe"},
		{"/api/v1/traces?start=yesterday", "start", "yesterday"},
		{"/api/v1/traces?start=-5", "start", "-5"},
		{"/api/v1/traces?end=2024-13-01T00:00:00Z", "end", "2024-13-01T00:00:00Z"},
		{"/api/v1/traces?start=2000&end=1000", "end", "1000"},
		{"/api/v1/traces?start=1900-01-01T00:00:00Z", "start", "1900-01-01T00:00:00Z"},
		{"/api/v1/traces?limit=0", "limit", "0"},
		{"/api/v1/traces?limit=1001", "limit", "1001"},
		{"/api/v1/traces?limit=ten", "limit", "ten"},
		{"/api/v1/traces?cursor=bogus", "cursor", "bogus"},
		{"/api/v1/traces/" + cartHex + "?limit=10001", "limit", "10001"},
		{"/api/v1/traces/" + cartHex + "?cursor=%21", "cursor", "!"},
		{"/api/v1/traces/" + cartHex + "?span=1", "span", "1"},
		{"/api/v1/traces/" + cartHex[:31], "trace_id", cartHex[:31]},
		{"/api/v1/traces/" + cartHex + "0", "trace_id", cartHex + "0"},
		{"/api/v1/traces/" + strings.Repeat("g", 32), "trace_id", strings.Repeat("g", 32)},
		{"/api/v1/traces/" + strings.Repeat("0", 32), "trace_id", strings.Repeat("0", 32)},
		{"/api/v1/traces/nope/otlp", "trace_id", "nope"},
		{"/api/v1/logs?trace_id=abc", "trace_id", "abc"},
		{"/api/v1/logs?span_id=" + cartHex, "span_id", cartHex},
		{"/api/v1/logs?min_severity=loud", "min_severity", "loud"},
		{"/api/v1/logs?min_severity=25", "min_severity", "25"},
		{"/api/v1/logs?limit=5000", "limit", "5000"},
		{"/api/v1/logs?start=1&end=1", "end", "1"},
		{"/api/v1/logs?cursor=" + url.QueryEscape("eyJrIjoidCIsInQiOjF9"), "cursor", "eyJrIjoidCIsInQiOjF9"}, // a traces cursor
		{"/api/v1/services?x=1", "x", "1"},
		{"/api/stats?verbose=1", "verbose", "1"},
		{"/api/traces/" + long, "trace_id", long},
		{"/api/traces/xyz", "trace_id", "xyz"},
		{"/api/v2/traces/0", "trace_id", "0"},
	} {
		var e apiErr
		getJSON(t, srv, c.path, 400, &e)
		if e.Field != c.field || e.Value == nil || *e.Value != c.value || e.Allowed == "" || !strings.HasPrefix(e.Error, c.field+": ") {
			t.Errorf("%s: %+v (value %v), want field %q value %q", c.path, e, deref(e.Value), c.field, c.value)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
