package sim

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestProfile(t *testing.T) {
	tests := []struct {
		name          string
		start, target float64
		v, a          float64
		total         float64
		at            map[float64]float64 // t -> x
	}{
		{"constant speed", 0, 10, 2, 0, 5, map[float64]float64{-1: 0, 0: 0, 1: 2, 2.5: 5, 5: 10, 9: 10}},
		{"constant speed backwards", 10, 0, 2, 0, 5, map[float64]float64{1: 8, 2.5: 5}},
		// t_a = 2 s and d_a = 2 mm each way, 6 mm cruise at 2 mm/s = 3 s.
		{"trapezoid", 0, 10, 2, 1, 7, map[float64]float64{1: 0.5, 2: 2, 3.5: 5, 5: 8, 6: 9.5, 7: 10}},
		{"trapezoid backwards", 10, 0, 2, 1, 7, map[float64]float64{1: 9.5, 3.5: 5, 6: 0.5}},
		// 2 mm is too short to reach 2 mm/s at 1 mm/s²: v_peak = sqrt(2).
		{"triangle", 0, 2, 2, 1, 2 * math.Sqrt2, map[float64]float64{0.5: 0.125, math.Sqrt2: 1, 2*math.Sqrt2 - 0.5: 1.875}},
		// exactly reaching v: no cruise.
		{"triangle at full speed", 0, 4, 2, 1, 4, map[float64]float64{1: 0.5, 2: 2, 3: 3.5}},
		{"no distance", 3, 3, 2, 1, 0, map[float64]float64{0: 3, 1: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProfile(tt.start, tt.target, tt.v, tt.a)
			if !near(p.duration(), tt.total) {
				t.Errorf("duration %v, want %v", p.duration(), tt.total)
			}
			for at, want := range tt.at {
				if got := p.at(at); !near(got, want) {
					t.Errorf("at(%v) = %v, want %v", at, got, want)
				}
			}
			if !near(p.at(p.duration()/2), (tt.start+tt.target)/2) {
				t.Errorf("not symmetric: at half time %v", p.at(p.duration()/2))
			}
		})
	}
}

func TestProfileIsContinuousAndMonotonic(t *testing.T) {
	p := newProfile(-3, 7, 1.5, 0.7)
	prev := p.at(0)
	const n = 10000
	for i := 1; i <= n; i++ {
		x := p.at(p.duration() * float64(i) / n)
		if x < prev || x-prev > 1.5*p.duration()/n+1e-12 {
			t.Fatalf("step %d: %v after %v", i, x, prev)
		}
		prev = x
	}
	if prev != 7 {
		t.Errorf("ends at %v", prev)
	}
}

func TestRealDuration(t *testing.T) {
	for _, tt := range []struct {
		sec, speedup float64
		want         time.Duration
	}{
		{5, 1, 5 * time.Second},
		{5, 100, 50 * time.Millisecond},
		{1e-10, 1, time.Nanosecond}, // rounded up: never early
		{1e30, 1, math.MaxInt64},
		{0, 1, 0},
	} {
		if got := realDuration(tt.sec, tt.speedup); got != tt.want {
			t.Errorf("realDuration(%v, %v) = %v, want %v", tt.sec, tt.speedup, got, tt.want)
		}
	}
}
