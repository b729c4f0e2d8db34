package demo

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestFitPeak(t *testing.T) {
	var p Points
	for i := range 61 {
		x := -3 + float64(i)*0.1
		p.X = append(p.X, x)
		p.Y = append(p.Y, 5+1000*math.Exp(-(x-0.5)*(x-0.5)/(2*1.2*1.2)))
	}
	pk, err := FitPeak(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	// FWHM of a Gaussian is 2.3548 sigma.
	if math.Abs(pk.Cen-0.5) > 0.02 || math.Abs(pk.FWHM-2.3548*1.2) > 0.03 || math.Abs(pk.MaxX-0.5) > 0.051 {
		t.Fatalf("peak %+v, want cen 0.5, fwhm %.3f", pk, 2.3548*1.2)
	}
	for _, c := range []struct {
		p    Points
		want string
	}{
		{Points{X: []float64{1, 2}, Y: []float64{1}}, "2 x values but 1 y"},
		{Points{X: []float64{1, 2}, Y: []float64{1, 2}}, "need at least 3"},
		{Points{X: []float64{1, 2, math.NaN()}, Y: []float64{1, 2, 3}}, "not finite"},
		{Points{X: []float64{1, 2, 3}, Y: []float64{4, 4, 4}}, "flat"},
	} {
		if _, err := FitPeak(context.Background(), c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FitPeak(%v) = %v, want %q", c.p, err, c.want)
		}
	}
}
