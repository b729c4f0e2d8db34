package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Points is a scan's data for the peak fit: detector counts y at motor
// positions x.
type Points struct {
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
}

// Peak is what FitPeak finds, as Bluesky's PeakStats reports it.
type Peak struct {
	// COM is the centre of mass of y above its minimum.
	COM float64 `json:"com"`
	// Cen is the midpoint of the half-maximum crossings; FWHM their
	// distance (both linearly interpolated).
	Cen  float64 `json:"cen"`
	FWHM float64 `json:"fwhm"`
	// MaxX and MaxY are the highest point.
	MaxX float64 `json:"max_x"`
	MaxY float64 `json:"max_y"`
}

// FitPeakTask is the task name of FitPeak.
const FitPeakTask = "fit_peak"

// FitPeak computes peak statistics of a 1-D scan. It needs at least three
// points, as many x as y, all finite.
func FitPeak(_ context.Context, p Points) (Peak, error) {
	if len(p.X) != len(p.Y) {
		return Peak{}, fmt.Errorf("fit_peak: %d x values but %d y values", len(p.X), len(p.Y))
	}
	if len(p.X) < 3 {
		return Peak{}, fmt.Errorf("fit_peak: %d points, need at least 3", len(p.X))
	}
	lo, hi := 0, 0
	for i := range p.X {
		if !finite(p.X[i]) || !finite(p.Y[i]) {
			return Peak{}, fmt.Errorf("fit_peak: point %d (%v, %v) is not finite", i, p.X[i], p.Y[i])
		}
		if p.Y[i] < p.Y[lo] {
			lo = i
		}
		if p.Y[i] > p.Y[hi] {
			hi = i
		}
	}
	base := p.Y[lo]
	var sw, swx float64
	for i := range p.X {
		w := p.Y[i] - base
		sw += w
		swx += w * p.X[i]
	}
	if sw == 0 {
		return Peak{}, errors.New("fit_peak: the data are flat: no peak")
	}
	pk := Peak{COM: swx / sw, MaxX: p.X[hi], MaxY: p.Y[hi]}
	half := base + (p.Y[hi]-base)/2
	left, right := p.X[0], p.X[len(p.X)-1]
	for i := hi; i > 0; i-- {
		if p.Y[i-1] < half {
			left = cross(p.X[i-1], p.Y[i-1], p.X[i], p.Y[i], half)
			break
		}
	}
	for i := hi; i < len(p.X)-1; i++ {
		if p.Y[i+1] < half {
			right = cross(p.X[i], p.Y[i], p.X[i+1], p.Y[i+1], half)
			break
		}
	}
	pk.Cen, pk.FWHM = (left+right)/2, math.Abs(right-left)
	return pk, nil
}

// cross is where the line through (x0, y0) and (x1, y1) reaches y.
func cross(x0, y0, x1, y1, y float64) float64 {
	if y1 == y0 {
		return x0
	}
	return x0 + (y-y0)*(x1-x0)/(y1-y0)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
