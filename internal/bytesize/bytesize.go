// Package bytesize reads and writes sizes in bytes the way people write
// them: Parse reads a flag's value ("16MiB", "500MB", "1048576"), Exact
// writes a size so that Parse reads it back ("16MiB", "1536B"), and Human
// writes one for a message or a progress line ("16 MiB", "20.5 MiB",
// "812 bytes"). Units are binary (KiB = 1024 bytes) unless written as
// decimal (kB = 1000 bytes); Exact and Human only write binary units.
package bytesize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Binary units, in bytes.
const (
	KiB int64 = 1 << 10
	MiB int64 = 1 << 20
	GiB int64 = 1 << 30
	TiB int64 = 1 << 40
)

// suffixes are the units Parse reads, longest first so that "kib" is not
// read as "b".
var suffixes = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"b", 1},
}

// units are the binary units Exact and Human write, largest first.
var units = []struct {
	name string
	mult int64
}{{"TiB", TiB}, {"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB}}

// Parse reads a size: a whole number of bytes, or a number (fractions
// allowed) with a unit, binary (KiB, MiB, GiB, TiB) or decimal (kB, MB,
// GB, TB) or B, in any case, with or without a space before it. A
// fraction of a byte is dropped. Negative sizes, and sizes of 2^63 bytes
// or more, are refused with an error that quotes s.
func Parse(s string) (int64, error) {
	num, mult := strings.TrimSpace(s), 1.0
	lower := strings.ToLower(num)
	for _, u := range suffixes {
		if strings.HasSuffix(lower, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size: want bytes or a number with a unit, such as 16MiB, 1GiB or 500MB", s)
	}
	return int64(f * mult), nil
}

// Exact writes n in the largest binary unit that divides it, with no
// space: "16MiB", "1GiB", "1536B", "0B". Parse reads it back to n.
func Exact(n int64) string {
	for _, u := range units {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// Human writes n for people, in the largest binary unit it reaches, whole
// when the unit divides it and with one decimal otherwise: "16 MiB",
// "20.5 MiB", "300 KiB", "1.2 GiB"; under 1 KiB in bytes: "812 bytes",
// "1 byte". A negative n is written as its size with a minus sign.
func Human(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return "-8 EiB"
		}
		return "-" + Human(-n)
	}
	for _, u := range units {
		switch {
		case n >= u.mult && n%u.mult == 0:
			return strconv.FormatInt(n/u.mult, 10) + " " + u.name
		case n >= u.mult:
			return strconv.FormatFloat(float64(n)/float64(u.mult), 'f', 1, 64) + " " + u.name
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
