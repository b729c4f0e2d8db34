// Package sim simulates a motor and a detector that behave like real
// hardware in time, for tests, demos and trying plans without a beamline.
//
// # Motor
//
// A Motor moves from its readback to the target of Set with a trapezoidal
// velocity profile: it accelerates at a (WithAcceleration) up to the
// velocity v (WithVelocity), cruises, and decelerates at a to rest on the
// target. Over a distance d:
//
//	t_a = v/a,  d_a = v²/(2a)            (time and distance to reach v)
//	if 2·d_a < d:  T = 2·t_a + (d - 2·d_a)/v                (trapezoid)
//	else:          v_peak = sqrt(d·a),  T = 2·v_peak/a     (triangle)
//	x(t) = x0 + ½·a·t²                      for t < t_a
//	     = x0 + d_a + v·(t - t_a)           while cruising
//	     = target - ½·a·(T - t)²            while braking
//
// (signed by the direction of the move). With a = 0 the speed changes at
// once: x(t) = x0 + v·t and T = d/v, so a 10 mm move at 2 mm/s takes 5 s.
//
// The readback is computed from the elapsed time whenever it is read: no
// busy loop. Each move has one goroutine that sleeps on a timer until the
// arrival and then finishes the move's Status (device.TypeMoveStatus, with
// target, start_pos, unit and finish_pos), or wakes up early when the move
// is stopped, superseded by a new Set, or its Status ends (timeout, ctx
// cancelled), in which case the motor stops where it is at that instant.
// Stop ends the Status with device.ErrCancelled ("stopped"); a new Set
// ends it with device.ErrCancelled ("superseded") and starts from the
// current readback. Targets outside WithLimits fail at once with
// ErrOutOfLimits; WithFault makes chosen moves fail halfway, at half the
// distance and half the duration. A Status that ends on its own (timeout,
// ctx cancelled) has ended its span before the motor stops, so that span
// has no finish_pos: Read the motor to see where it stopped.
//
// # Detector
//
// A Detector sees a Gaussian peak along its motor's axis. Trigger exposes
// for the exposure time (WithExposure), then reads, with x the motor's
// readback at the end of the exposure,
//
//	counts = max(0, A·exp(-(x - c)²/(2σ²)) + N(0, noise²))
//
// with A = WithAmplitude, c = WithCenter, σ = WithSigma and Gaussian noise
// of standard deviation WithNoise (default 1% of A) drawn from a PCG
// generator seeded by WithSeed.
//
// # Speedup
//
// WithSpeedup(f) runs a device f times faster than the hardware it
// simulates: every duration (move, settle time, timeout, exposure) is
// divided by f in real time while positions, velocities and counts stay
// physical. With f = 100, the 10 mm move at 2 mm/s takes 50 ms. Tests
// should rather use testing/synctest, whose fake clock makes the physical
// durations instantaneous and exact.
//
// Both devices are safe for concurrent use. Shutdown(ctx) stops what is in
// progress and waits for its goroutine, so none outlives the device; it is
// the module's one word for the end of a part with goroutines (a Motor's
// Stop is the device.Stoppable command, which leaves the motor usable).
//
// # Options
//
// NewMotor takes MotorOptions and NewDetector DetectorOptions; an Option
// (WithSpeedup, WithTracer) satisfies both, so a shared option is written
// once and a motor option given to a detector does not compile.
package sim
