package web

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// params reads the query parameters of one request. Each getter fails with
// a 400 *apiError naming the parameter, the bad value and what is allowed.
type params struct{ v url.Values }

// checkParams fails for a parameter not in known (a typo would otherwise
// be silently ignored) and returns the parameters.
func checkParams(r *http.Request, known []string) error {
	_, err := queryParams(r, known)
	return err
}

// queryParams returns r's parameters, failing for one not in known.
func queryParams(r *http.Request, known []string) (params, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return params{}, badParam("query", r.URL.RawQuery, "a URL-encoded query string", "cannot be parsed: %v", err)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			allowed := "no parameters"
			if len(known) > 0 {
				allowed = strings.Join(known, ", ")
			}
			return params{}, badParam(k, v.Get(k), allowed, "unknown parameter")
		}
	}
	return params{v}, nil
}

// str returns the parameter's value, "" when absent; it may be given once.
func (p params) str(name string) (string, error) {
	vs := p.v[name]
	if len(vs) > 1 {
		return "", badParam(name, vs[1], "one value", "given %d times", len(vs))
	}
	if len(vs) == 0 {
		return "", nil
	}
	return vs[0], nil
}

// limit returns the page size, 0 (the store's default) when absent.
func (p params) limit(name string, most int) (int, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return 0, err
	}
	allowed := "an integer from 1 to " + strconv.Itoa(most)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(name, s, allowed, "not an integer")
	}
	if n < 1 || n > most {
		return 0, badParam(name, s, allowed, "out of range")
	}
	return n, nil
}

// duration returns a Go duration ("150ms", "2s", "1h30m"), 0 when absent.
func (p params) duration(name string) (time.Duration, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return 0, err
	}
	const allowed = `a non-negative Go duration such as 150ms, 2s or 1m30s`
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, badParam(name, s, allowed, "not a duration")
	}
	if d < 0 {
		return 0, badParam(name, s, allowed, "negative")
	}
	return d, nil
}

// boolean returns true for true/1, false for false/0 or when absent.
func (p params) boolean(name string) (bool, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return false, err
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, badParam(name, s, "true or false", "not a boolean")
}

// time returns an RFC 3339 time or unix nanoseconds; zero when absent.
func (p params) time(name string) (time.Time, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	const allowed = "an RFC 3339 time (2024-06-11T14:00:00Z, 2024-06-11T16:00:00.5%2B02:00) or unix nanoseconds"
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return time.Time{}, badParam(name, s, allowed, "negative")
		}
		return time.Unix(0, n), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.Contains(s, " ") {
		// An unencoded "+" in the offset arrives as a space.
		t, err = time.Parse(time.RFC3339Nano, strings.ReplaceAll(s, " ", "+"))
	}
	if err != nil {
		return time.Time{}, badParam(name, s, allowed, "not a time")
	}
	if t.Year() < 1970 || t.Year() > 2262 {
		return time.Time{}, badParam(name, s, allowed, "outside 1970-2262 (what unix nanoseconds hold)")
	}
	return t, nil
}

// timeRange returns start and end, failing unless end is after start.
func (p params) timeRange() (start, end time.Time, err error) {
	if start, err = p.time("start"); err != nil {
		return
	}
	if end, err = p.time("end"); err != nil {
		return
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		err = badParam("end", p.v.Get("end"), "a time after start", "not after start (%s)", start.UTC().Format(time.RFC3339Nano))
	}
	return
}

// attrs returns the repeatable key=value parameter as a map.
func (p params) attrs(name string) (map[string]string, error) {
	vs := p.v[name]
	if len(vs) == 0 {
		return nil, nil
	}
	const allowed = "key=value (repeatable; the key must not be empty, each key at most once)"
	m := make(map[string]string, len(vs))
	for _, s := range vs {
		k, v, ok := strings.Cut(s, "=")
		switch {
		case !ok:
			return nil, badParam(name, s, allowed, "no = between key and value")
		case k == "":
			return nil, badParam(name, s, allowed, "empty key")
		}
		if old, dup := m[k]; dup && old != v {
			return nil, badParam(name, s, allowed, "key %q given twice (a trace cannot match both values)", k)
		}
		m[k] = v
	}
	return m, nil
}

// severities are the OpenTelemetry severity numbers of the short names.
var severities = map[string]int{"trace": 1, "debug": 5, "info": 9, "warn": 13, "error": 17, "fatal": 21}

// severity returns a severity number (1-24) or name, 0 when absent.
func (p params) severity(name string) (int, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return 0, err
	}
	const allowed = "a severity number from 1 to 24, or trace, debug, info, warn, error, fatal"
	if n, ok := severities[strings.ToLower(s)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(name, s, allowed, "neither a number nor a severity name")
	}
	if n < 1 || n > 24 {
		return 0, badParam(name, s, allowed, "out of range")
	}
	return n, nil
}

// hexID returns the parameter's id of size bytes, lower case; "" when absent.
func (p params) hexID(name string, size int) (string, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return "", err
	}
	return parseHexID(name, s, size)
}

// parseHexID checks an id of size bytes given as 2*size hex digits (either
// case), not all zero, and returns it in lower case.
func parseHexID(field, s string, size int) (string, error) {
	allowed := strconv.Itoa(2*size) + " hex digits, not all zero"
	b, err := hex.DecodeString(s)
	switch {
	case len(s) != 2*size:
		return "", badParam(field, s, allowed, "%d characters, not %d", len(s), 2*size)
	case err != nil:
		return "", badParam(field, s, allowed, "not hex")
	case allZero(b):
		return "", badParam(field, s, allowed, "all zero")
	}
	return strings.ToLower(s), nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
