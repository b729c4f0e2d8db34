package httptrace

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// ExcludedURLError reports an excluded URL regular expression that does not
// compile.
type ExcludedURLError struct {
	// Source is where the value came from: the environment variable's name,
	// or "WithExcludedURLs[i]", i counting the patterns of every
	// WithExcludedURLs in order from 0.
	Source string
	// Value is the bad regular expression.
	Value string
	// Err is the error of regexp.Compile.
	Err error
}

func (e *ExcludedURLError) Error() string {
	return fmt.Sprintf("httptrace: excluded URL regular expression %q from %s: %v", e.Value, e.Source, e.Err)
}

func (e *ExcludedURLError) Unwrap() error { return e.Err }

func codeSource(i int) string { return "WithExcludedURLs[" + strconv.Itoa(i) + "]" }

// parseExcludedList compiles the comma-separated regular expressions of
// value, read from the environment variable source. Entries are trimmed of
// spaces; empty ones are skipped. Every bad entry is reported (joined).
func parseExcludedList(source, value string) ([]*regexp.Regexp, error) {
	var res []*regexp.Regexp
	var errs []error
	for entry := range strings.SplitSeq(value, ",") {
		re, err := compileExcluded(source, strings.TrimSpace(entry))
		if err != nil {
			errs = append(errs, err)
		} else if re != nil {
			res = append(res, re)
		}
	}
	return res, errors.Join(errs...)
}

// compileExcluded compiles one regular expression; a blank one gives nil
// and no error.
func compileExcluded(source, value string) (*regexp.Regexp, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	re, err := regexp.Compile(value)
	if err != nil {
		return nil, &ExcludedURLError{Source: source, Value: value, Err: err}
	}
	return re, nil
}

// matcher tells whether a request is excluded. A regular expression that
// contains "://" is matched against the full URL
// (scheme://host/path?query), any other against the URL path; both are
// unanchored searches, as OpenTelemetry Python's excluded URLs are.
type matcher struct {
	path []*regexp.Regexp
	full []*regexp.Regexp
}

func (m *matcher) add(res ...*regexp.Regexp) {
	for _, re := range res {
		if strings.Contains(re.String(), "://") {
			m.full = append(m.full, re)
		} else {
			m.path = append(m.path, re)
		}
	}
}

func (m *matcher) empty() bool { return len(m.path) == 0 && len(m.full) == 0 }

// excludedServer reports whether an incoming request is excluded.
func (m *matcher) excludedServer(r *http.Request) bool {
	if r.URL == nil {
		return false
	}
	if matchAny(m.path, r.URL.Path) {
		return true
	}
	if len(m.full) == 0 {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return matchAny(m.full, scheme+"://"+host+r.URL.RequestURI())
}

// excludedClient reports whether an outgoing request is excluded.
func (m *matcher) excludedClient(r *http.Request) bool {
	if r.URL == nil {
		return false
	}
	if matchAny(m.path, r.URL.Path) {
		return true
	}
	if len(m.full) == 0 {
		return false
	}
	host := r.URL.Host
	if r.Host != "" {
		host = r.Host
	}
	return matchAny(m.full, r.URL.Scheme+"://"+host+r.URL.RequestURI())
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
