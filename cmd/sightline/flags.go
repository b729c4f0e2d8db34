package main

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
)

// byteSize is a flag of a size in bytes: 1048576, 16MiB, 1GiB, 500MB
// (internal/bytesize).
type byteSize struct{ n *int64 }

func (b byteSize) String() string {
	if b.n == nil {
		return ""
	}
	return bytesize.Exact(*b.n)
}

func (b byteSize) Set(s string) error {
	n, err := bytesize.Parse(s)
	if err != nil {
		return err
	}
	*b.n = n
	return nil
}

// ageFlag is a flag of a duration that also accepts days: 7d, 1.5d, 168h.
type ageFlag struct{ d *time.Duration }

func (a ageFlag) String() string {
	if a.d == nil {
		return ""
	}
	if *a.d != 0 && *a.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*a.d/(24*time.Hour)), 10) + "d"
	}
	return a.d.String()
}

func (a ageFlag) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	*a.d = d
	return nil
}

// parseAge parses a Go duration or a number of days ("7d").
func parseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration: want a Go duration (168h, 90m) or days (7d), 0 to keep data forever", s)
	if days, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		f, err := strconv.ParseFloat(days, 64)
		if err != nil || f < 0 || f*24 > float64(math.MaxInt64/int64(time.Hour)) {
			return 0, bad
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// Get returns the size, for the config file's type checks.
func (b byteSize) Get() any { return *b.n }

// Get returns the age, for the config file's type checks.
func (a ageFlag) Get() any { return *a.d }

// durationFlag is a flag of a Go duration more than 0: 10s, 1m30s.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a duration: want a Go duration more than 0, such as 10s or 1m30s", s)
	}
	*f.d = d
	return nil
}

// Get returns the duration, for the config file's type checks.
func (f durationFlag) Get() any { return *f.d }

// headerFlag is a repeatable flag of a header sent upstream, KEY=VALUE
// (the key in lower case). Values are secrets: String shows the names
// only, and Set never fails (the flag package would quote the value in
// its error): a malformed entry is kept in errs for the caller to report
// without it. The settings' sources replace one another's headers rather
// than adding to them: newSource starts a new list at the next Set.
type headerFlag struct {
	m     *map[string]string
	fresh bool
	errs  []error
}

func (h *headerFlag) String() string {
	if h == nil || h.m == nil {
		return ""
	}
	names := slices.Sorted(maps.Keys(*h.m))
	for i, k := range names {
		names[i] = k + "=..."
	}
	return strings.Join(names, ",")
}

func (h *headerFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
	if !ok || k == "" {
		h.errs = append(h.errs, errors.New("--forward-header: an entry is not KEY=VALUE (values are not shown)"))
		return nil
	}
	if h.fresh || *h.m == nil {
		*h.m, h.fresh = map[string]string{}, false
	}
	(*h.m)[k] = v
	return nil
}

// Get returns the headers, for the config file's type checks.
func (h *headerFlag) Get() any { return *h.m }

// newSource makes the next Set start a new list.
func (h *headerFlag) newSource() { h.fresh = true }
