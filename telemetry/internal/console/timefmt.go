package console

import (
	"math"
	"strconv"
	"time"
)

// minNano and maxNano bound the times for which time.Time.UnixNano is
// defined (roughly the years 1678 to 2262).
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

// appendTime appends t as the JSON string Python's ns_to_iso_str prints,
// "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC, or null when t is the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	sec, us := pythonTimestamp(t)
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	y, m, d := civilFromDays(days)

	if y < 0 || y > 9999 {
		b = append(b, '"')
		b = strconv.AppendInt(b, y, 10)
		b = append(b, "-00-00T00:00:00.000000Z\""...)
		put2(b[len(b)-23:], m)
		put2(b[len(b)-20:], d)
		putClock(b[len(b)-17:], rem, us)
		return b
	}
	var s [29]byte
	copy(s[:], `"0000-00-00T00:00:00.000000Z"`)
	put2(s[1:], int(y/100))
	put2(s[3:], int(y%100))
	put2(s[6:], m)
	put2(s[9:], d)
	putClock(s[12:], rem, us)
	return append(b, s[:]...)
}

// putClock writes "HH:MM:SS.ffffff" for rem seconds into the day and us
// microseconds over a template holding ':' and '.' at their places.
func putClock(s []byte, rem, us int64) {
	put2(s, int(rem/3600))
	put2(s[3:], int(rem/60%60))
	put2(s[6:], int(rem%60))
	put2(s[9:], int(us/10000))
	put2(s[11:], int(us/100%100))
	put2(s[13:], int(us%100))
}

// put2 writes n, in [0, 99], as two digits.
func put2(s []byte, n int) {
	s[0] = byte('0' + n/10)
	s[1] = byte('0' + n%10)
}

// pythonTimestamp splits t into Unix seconds and microseconds exactly as
// Python's ns_to_iso_str does: it computes the float nanoseconds / 1e9 and
// hands it to datetime.fromtimestamp, which (CPython's
// _PyTime_DoubleToDenominator) separates the fraction with modf, scales it
// to microseconds and rounds half to even. The float step matters: for
// present-day times a float64 resolves about 0.24 µs, so a plain rounding of
// the integer nanoseconds would disagree with Python in the last digit for
// some inputs.
//
// Times outside the int64 nanosecond range, which Python's exporters never
// see, are truncated to the microsecond instead.
func pythonTimestamp(t time.Time) (sec, us int64) {
	if t.Before(minNano) || t.After(maxNano) {
		return t.Unix(), int64(t.Nanosecond() / 1000)
	}
	f := float64(t.UnixNano()) / 1e9
	ip, fp := math.Modf(f)
	fp = math.RoundToEven(fp * 1e6)
	if fp >= 1e6 {
		fp -= 1e6
		ip++
	} else if fp < 0 {
		fp += 1e6
		ip--
	}
	return int64(ip), int64(fp)
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's days_from_civil inverse).
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11]
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
