package sim

import (
	"math"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// MotorOption configures a Motor (NewMotor).
type MotorOption interface{ applyMotor(*motorConfig) }

// DetectorOption configures a Detector (NewDetector).
type DetectorOption interface{ applyDetector(*detectorConfig) }

// Option configures a Motor or a Detector alike (WithSpeedup, WithTracer).
type Option interface {
	MotorOption
	DetectorOption
}

// common is what motors and detectors share.
type common struct {
	speedup float64      // real time = physical time / speedup
	tracer  trace.Tracer // nil: the global TracerProvider's
}

type motorConfig struct {
	common
	velocity, accel float64
	unit            string
	limits          bool
	lo, hi          float64
	position        float64
	settle, timeout time.Duration
	fault           func(target float64) error
}

type detectorConfig struct {
	common
	center, sigma, amplitude float64
	noise                    float64
	noiseSet                 bool
	seed                     uint64
	seedSet                  bool
	exposure                 time.Duration
}

type motorOption func(*motorConfig)

func (f motorOption) applyMotor(c *motorConfig) { f(c) }

type detectorOption func(*detectorConfig)

func (f detectorOption) applyDetector(c *detectorConfig) { f(c) }

type commonOption func(*common)

func (f commonOption) applyMotor(c *motorConfig)       { f(&c.common) }
func (f commonOption) applyDetector(c *detectorConfig) { f(&c.common) }

func positive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }
func finite(x float64) bool   { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// WithSpeedup makes the device run factor times faster than the physical
// device it simulates: every duration (move, settle time, timeout,
// exposure) is divided by factor in real time, while positions, velocities
// and readings stay physical, so the simulation behaves the same, only
// faster. 100 means a 5 s move takes 50 ms. Status spans show the real
// (divided) settle time and timeout. It is for tests and demos; values <= 0
// are ignored (default 1).
func WithSpeedup(factor float64) Option {
	return commonOption(func(c *common) {
		if positive(factor) {
			c.speedup = factor
		}
	})
}

// WithTracer sets the tracer of the device's Status spans (default: the
// global TracerProvider's tracer named device.TracerName).
func WithTracer(t trace.Tracer) Option {
	return commonOption(func(c *common) { c.tracer = t })
}

// WithVelocity sets the motor's top speed in units per second (default 1).
// Values <= 0 are ignored.
func WithVelocity(v float64) MotorOption {
	return motorOption(func(c *motorConfig) {
		if positive(v) {
			c.velocity = v
		}
	})
}

// WithAcceleration sets the motor's acceleration and deceleration in
// units/s²; 0 (the default) means the speed changes at once. Negative
// values are taken as 0.
func WithAcceleration(a float64) MotorOption {
	return motorOption(func(c *motorConfig) {
		if positive(a) {
			c.accel = a
		} else {
			c.accel = 0
		}
	})
}

// WithUnit sets the motor's engineering unit (default "mm").
func WithUnit(unit string) MotorOption {
	return motorOption(func(c *motorConfig) { c.unit = unit })
}

// WithLimits sets the motor's soft limits: a Set outside [lo, hi] fails at
// once without moving. The bounds are taken in either order.
func WithLimits(lo, hi float64) MotorOption {
	return motorOption(func(c *motorConfig) {
		c.limits, c.lo, c.hi = true, min(lo, hi), max(lo, hi)
	})
}

// WithPosition sets where the motor starts (default 0). Non-finite values
// are ignored.
func WithPosition(x float64) MotorOption {
	return motorOption(func(c *motorConfig) {
		if finite(x) {
			c.position = x
		}
	})
}

// WithSettleTime sets the time waited after arrival before a move's Status
// is done (physical time, divided by the speedup). Default 0.
func WithSettleTime(d time.Duration) MotorOption {
	return motorOption(func(c *motorConfig) { c.settle = max(0, d) })
}

// WithTimeout sets the timeout of each move's Status (physical time,
// divided by the speedup); 0, the default, means none. A move that times
// out stops where it is.
func WithTimeout(d time.Duration) MotorOption {
	return motorOption(func(c *motorConfig) { c.timeout = max(0, d) })
}

// WithFault sets a function consulted with the target when a move starts:
// when it returns an error, the move fails halfway (at half the distance,
// reached at half the move's duration) with that error. For demos and tests
// of failed moves.
func WithFault(f func(target float64) error) MotorOption {
	return motorOption(func(c *motorConfig) { c.fault = f })
}

// WithCenter sets where, in motor units, the detector's peak is (default 0).
func WithCenter(x float64) DetectorOption {
	return detectorOption(func(c *detectorConfig) {
		if finite(x) {
			c.center = x
		}
	})
}

// WithSigma sets the peak's standard deviation in motor units (default 1).
// Values <= 0 are ignored.
func WithSigma(s float64) DetectorOption {
	return detectorOption(func(c *detectorConfig) {
		if positive(s) {
			c.sigma = s
		}
	})
}

// WithAmplitude sets the peak's height in counts (default 1000).
func WithAmplitude(a float64) DetectorOption {
	return detectorOption(func(c *detectorConfig) {
		if finite(a) {
			c.amplitude = a
		}
	})
}

// WithNoise sets the standard deviation of the Gaussian noise added to each
// reading, in counts (default 1% of the amplitude); 0 means none. Negative
// values are ignored.
func WithNoise(sd float64) DetectorOption {
	return detectorOption(func(c *detectorConfig) {
		if sd >= 0 && finite(sd) {
			c.noise, c.noiseSet = sd, true
		}
	})
}

// WithSeed seeds the noise generator, for reproducible readings (default:
// a random seed).
func WithSeed(seed uint64) DetectorOption {
	return detectorOption(func(c *detectorConfig) { c.seed, c.seedSet = seed, true })
}

// WithExposure sets the acquisition time of a trigger (default 10 ms,
// physical time, divided by the speedup). Negative values are ignored.
func WithExposure(d time.Duration) DetectorOption {
	return detectorOption(func(c *detectorConfig) {
		if d >= 0 {
			c.exposure = d
		}
	})
}

// realDuration is the real time a physical duration of sec seconds takes
// at speedup, rounded up to the nanosecond.
func realDuration(sec, speedup float64) time.Duration {
	ns := math.Ceil(sec / speedup * 1e9)
	if ns >= math.MaxInt64 || math.IsNaN(ns) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}
