package bytesize

import (
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "16MiB": 16 << 20, "1GiB": 1 << 30, "1gib": 1 << 30, "1.5 KiB": 1536,
		"500MB": 500e6, "2kB": 2000, "7B": 7, "1TiB": 1 << 40, " 3 mib ": 3 << 20, "2.5b": 2,
	} {
		if n, err := Parse(s); err != nil || n != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "MiB", "-1", "1XB", "1e400", "ten", "NaN", "8388608TiB"} {
		if n, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", s, n)
		}
	}
}

func TestExactRoundTrips(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1: "1B", 1536: "1536B", 1 << 10: "1KiB", 16 << 20: "16MiB",
		3 << 30: "3GiB", 2 << 40: "2TiB", 1<<30 + 1<<20: "1025MiB"} {
		got := Exact(n)
		if got != want {
			t.Errorf("Exact(%d) = %q, want %q", n, got, want)
		}
		if back, err := Parse(got); err != nil || back != n {
			t.Errorf("Parse(Exact(%d)) = %d, %v", n, back, err)
		}
	}
}

func TestHuman(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 812: "812 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 300 << 10: "300 KiB",
		16 << 20: "16 MiB", 20<<20 + 512<<10: "20.5 MiB", 1<<30 + 205<<20: "1.2 GiB", 5 << 40: "5 TiB",
		-2048: "-2 KiB", math.MinInt64: "-8 EiB",
	} {
		if got := Human(n); got != want {
			t.Errorf("Human(%d) = %q, want %q", n, got, want)
		}
	}
}
