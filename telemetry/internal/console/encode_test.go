package console

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The expected strings in these tables were printed by CPython 3.11's
// json.dumps and datetime, the functions OpenTelemetry Python uses.

func TestAppendFloatMatchesPythonRepr(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{math.Float64frombits(0x0), "0.0"},
		{math.Float64frombits(0x8000000000000000), "-0.0"},
		{math.Float64frombits(0x3ff0000000000000), "1.0"},
		{math.Float64frombits(0xbff0000000000000), "-1.0"},
		{math.Float64frombits(0x3fb999999999999a), "0.1"},
		{math.Float64frombits(0x3ff8000000000000), "1.5"},
		{math.Float64frombits(0x4059000000000000), "100.0"},
		{math.Float64frombits(0x405edd2f1a9fbe77), "123.456"},
		{math.Float64frombits(0x430c6bf526340000), "1000000000000000.0"},
		{math.Float64frombits(0x4341c37937e08000), "1e+16"},
		{math.Float64frombits(0x4341c37937e07fff), "9999999999999998.0"},
		{math.Float64frombits(0x43118b54f22aeb03), "1234567890123456.8"},
		{math.Float64frombits(0x3f1a36e2eb1c432d), "0.0001"},
		{math.Float64frombits(0x3f1f75104d551d69), "0.00012"},
		{math.Float64frombits(0x3ee4f8b588e368f1), "1e-05"},
		{math.Float64frombits(0x3eef75104d551d69), "1.5e-05"},
		{math.Float64frombits(0x1), "5e-324"},
		{math.Float64frombits(0x7fefffffffffffff), "1.7976931348623157e+308"},
		{math.Float64frombits(0x3df12e0be826d695), "2.5e-10"},
		{math.Float64frombits(0x444b1ae4d6e2ef50), "1e+21"},
		{math.Float64frombits(0x437b69b4ba630f35), "1.2345678901234568e+17"},
		{math.Float64frombits(0x3fd5555555555555), "0.3333333333333333"},
		{math.Float64frombits(0x4340000000000000), "9007199254740992.0"},
		{math.Float64frombits(0xc3e0000000000000), "-9.223372036854776e+18"},
		{math.Float64frombits(0x54b249ad2594c37d), "1e+100"},
		{math.Float64frombits(0x44dfe185ca57c517), "6.02214076e+23"},
		{math.Float64frombits(0x4011666666666666), "4.35"},
		{math.Float64frombits(0x97b750923ceb3ffd), "-1.996150245444706e-194"},
		{math.Float64frombits(0xea7b5bf55eb561a4), "-8.57789382212775e+204"},
		{math.Float64frombits(0x781f9c58d6645fa9), "4.1749440189827914e+270"},
		{math.Float64frombits(0x311624273bfd1d33), "3.132872124271458e-72"},
		// Python prints these as bare NaN/Infinity, which is not JSON.
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"Infinity"`},
		{math.Inf(-1), `"-Infinity"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := string(appendFloat(nil, tt.in))
			if got != tt.want {
				t.Fatalf("appendFloat(%v) = %s, want %s", tt.in, got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("%s is not valid JSON", got)
			}
		})
	}
}

func TestAppendTimeMatchesPython(t *testing.T) {
	tests := []struct {
		ns   int64
		want string
	}{
		{0, "1970-01-01T00:00:00.000000Z"},
		{499, "1970-01-01T00:00:00.000000Z"},
		{500, "1970-01-01T00:00:00.000000Z"},
		{501, "1970-01-01T00:00:00.000001Z"},
		{1500, "1970-01-01T00:00:00.000002Z"},
		{2500, "1970-01-01T00:00:00.000002Z"},
		{999999499, "1970-01-01T00:00:00.999999Z"},
		{999999500, "1970-01-01T00:00:01.000000Z"},
		{1715938200123456789, "2024-05-17T09:30:00.123457Z"},
		{1715938200123456500, "2024-05-17T09:30:00.123456Z"},
		{1715938200999999500, "2024-05-17T09:30:01.000000Z"},
		{1715938200000000500, "2024-05-17T09:30:00.000000Z"},
		{1715938200000001500, "2024-05-17T09:30:00.000001Z"},
		{-1, "1970-01-01T00:00:00.000000Z"},
		{-1500, "1969-12-31T23:59:59.999998Z"},
		{-1000000, "1969-12-31T23:59:59.999000Z"},
		{-86400123456789, "1969-12-30T23:59:59.876543Z"},
		{951782400000000000, "2000-02-29T00:00:00.000000Z"},
		{4102444799999999999, "2100-01-01T00:00:00.000000Z"},
		{-6795364578871345152, "1754-08-30T22:43:41.128654Z"},
		{9223372035854775807, "2262-04-11T23:47:15.854774Z"},
		{3641603982383516983, "2085-05-25T04:39:42.383517Z"},
		{445363681616962640, "1984-02-11T16:08:01.616963Z"},
		{1980241222855773941, "2032-10-01T11:00:22.855774Z"},
		{545198181100374566, "1987-04-12T03:56:21.100375Z"},
		{1228320887535867595, "2008-12-03T16:14:47.535868Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			// The location must not matter.
			tm := time.Unix(0, tt.ns).In(time.FixedZone("X", -7*3600))
			got := string(appendTime(nil, tm))
			if want := `"` + tt.want + `"`; got != want {
				t.Fatalf("appendTime(%d) = %s, want %s", tt.ns, got, want)
			}
		})
	}
}

func TestAppendTimeEdges(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"zero", time.Time{}, "null"},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 1500, time.UTC), `"0001-01-01T00:00:00.000001Z"`},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), `"9999-12-31T23:59:59.999999Z"`},
		{"year 12345", time.Date(12345, 3, 1, 0, 0, 0, 0, time.UTC), `"12345-03-01T00:00:00.000000Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendTime(nil, tt.in)); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCivilFromDaysMatchesTimePackage(t *testing.T) {
	for days := int64(-800000); days <= 800000; days += 97 {
		y, m, d := civilFromDays(days)
		ty, tm, td := time.Unix(days*86400, 0).UTC().Date()
		if y != int64(ty) || m != int(tm) || d != td {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %d-%d-%d", days, y, m, d, ty, tm, td)
		}
	}
}

func TestAppendStringEscaping(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // exact output, as Python's json.dumps prints it
	}{
		{"plain", "hello world", `"hello world"`},
		{"empty", "", `""`},
		{"quotes", `say "hi"`, `"say \"hi\""`},
		{"backslashes", `C:\path\n`, `"C:\\path\\n"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`},
		{"html", "<script>alert('&/')</script>", `"<script>alert('&/')</script>"`},
		{"latin", "caf\u00e9", `"caf\u00e9"`},
		{"bmp", "\u20ac\u2028\u2029\ufeff", `"\u20ac\u2028\u2029\ufeff"`},
		{"astral", "\U0001F600", `"\ud83d\ude00"`},
		{"replacement char", "\ufffd", `"\ufffd"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"truncated sequence", "\xe2\x82", `"\ufffd\ufffd"`},
		{"encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"overlong", "\xc0\xaf", `"\ufffd\ufffd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := appendString(nil, tt.in)
			if string(got) != tt.want {
				t.Fatalf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
			checkStringRoundTrip(t, tt.in, got)
		})
	}
}

// checkStringRoundTrip checks that out is valid JSON, pure ASCII, and
// decodes to in with each invalid UTF-8 byte replaced by U+FFFD.
func checkStringRoundTrip(t *testing.T, in string, out []byte) {
	t.Helper()
	var decoded string
	if err := json.Unmarshal(out, &decoded); err != nil {
		t.Fatalf("output %s does not parse: %v", out, err)
	}
	var want strings.Builder
	for _, r := range in { // range yields U+FFFD for each invalid byte
		want.WriteRune(r)
	}
	if decoded != want.String() {
		t.Fatalf("decoded %q, want %q", decoded, want.String())
	}
	for i, c := range out {
		if c >= utf8.RuneSelf {
			t.Fatalf("non-ASCII byte %#x at %d in %s", c, i, out)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "\"\\", "\x00\x7f", "<script>", "\xff\xfe", "caf\u00e9\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkStringRoundTrip(t, s, appendString(nil, s))
	})
}

func TestAppendReprChars(t *testing.T) {
	// Each want is the JSON string holding Python's repr() of the input.
	tests := []struct {
		in   string
		q    byte
		want string
	}{
		{"abc", '\'', `"abc"`},
		{`it's`, '"', `"it's"`},
		{`a'b"c\`, '\'', `"a\\'b\"c\\\\"`},
		{"x\ty\x01", '\'', `"x\\ty\\x01"`},
	}
	for _, tt := range tests {
		got := `"` + string(appendReprChars(nil, tt.in, tt.q)) + `"`
		if got != tt.want {
			t.Errorf("appendReprChars(%q, %q) = %s, want %s", tt.in, tt.q, got, tt.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s is not valid JSON", got)
		}
	}
}

func TestWithIndent(t *testing.T) {
	tests := []struct {
		opts []Option
		want int
	}{
		{nil, 4},
		{[]Option{WithIndent(0)}, 0},
		{[]Option{WithIndent(-3)}, 0},
		{[]Option{WithIndent(2)}, 2},
		{[]Option{WithIndent(0), WithIndent(8)}, 8},
		{[]Option{nil}, 4},
	}
	for _, tt := range tests {
		if got := newConfig(tt.opts).indent; got != tt.want {
			t.Errorf("indent = %d, want %d", got, tt.want)
		}
	}
}

func TestAppendSpacesLong(t *testing.T) {
	if got := appendSpaces(nil, 150); len(got) != 150 || strings.Trim(string(got), " ") != "" {
		t.Fatalf("appendSpaces(150) = %q", got)
	}
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1.5, 1e16, 1e-5, 123456789.125, 5e-324} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		out := appendFloat(nil, v)
		var got float64
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s does not parse: %v", out, err)
		}
		if got != v || math.Signbit(got) != math.Signbit(v) {
			t.Fatalf("%s parses as %v, want %v", out, got, v)
		}
		if !strings.ContainsAny(string(out), ".e") {
			t.Fatalf("%s looks like an integer", out)
		}
	})
}
