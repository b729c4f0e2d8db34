package sim

import "math"

// profile is a point-to-point motion from start to target: constant
// acceleration a up to the velocity v, cruise at v, constant deceleration a
// down to rest at the target (a trapezoid in velocity against time). When
// the distance is too short to reach v, the cruise vanishes and the peak
// velocity is sqrt(d·a) (a triangle). a <= 0 means the speed changes at
// once: the motion is at v from start to end.
//
// Times are physical seconds since the start of the motion. The profile is
// symmetric: half the distance is covered at half the duration.
type profile struct {
	start, target float64
	dir           float64 // +1 or -1
	dist          float64 // |target - start|
	accel         float64 // 0: instant speed change
	vpeak         float64 // highest velocity reached
	tAccel        float64 // duration of the acceleration (and of the deceleration)
	tCruise       float64 // duration at vpeak
}

// newProfile plans a move; v must be > 0.
func newProfile(start, target, v, a float64) profile {
	p := profile{start: start, target: target, dir: 1, dist: math.Abs(target - start), vpeak: v}
	if target < start {
		p.dir = -1
	}
	if a <= 0 || math.IsInf(a, 1) {
		p.tCruise = p.dist / v
		return p
	}
	p.accel = a
	if v*v/a >= p.dist { // speeding up and braking take the whole distance: a triangle
		p.vpeak = math.Sqrt(p.dist * a)
	}
	p.tAccel = p.vpeak / a
	if p.vpeak > 0 {
		p.tCruise = max(0, (p.dist-p.vpeak*p.tAccel)/p.vpeak)
	}
	return p
}

// duration is how long the motion takes, in seconds.
func (p profile) duration() float64 { return 2*p.tAccel + p.tCruise }

// at is the position t seconds after the start.
func (p profile) at(t float64) float64 {
	total := p.duration()
	switch {
	case t <= 0:
		return p.start
	case t >= total:
		return p.target
	}
	var s float64 // distance covered
	switch {
	case t < p.tAccel:
		s = p.accel * t * t / 2
	case t <= p.tAccel+p.tCruise:
		s = p.vpeak*p.tAccel/2 + p.vpeak*(t-p.tAccel)
	default:
		rem := total - t
		s = p.dist - p.accel*rem*rem/2
	}
	return p.start + p.dir*s
}
