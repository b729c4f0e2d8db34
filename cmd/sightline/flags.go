package main

import (
	"fmt"
	"math"
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
