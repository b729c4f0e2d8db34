package sim_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
)

// acquire triggers d, waits, and returns the counts.
func acquire(t *testing.T, d *sim.Detector) float64 {
	t.Helper()
	ctx := context.Background()
	if err := d.Trigger(ctx).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := d.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r[d.Name()].Value.(float64)
}

func TestDetectorPeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithPosition(3))
		defer m.Shutdown(context.Background())
		d := sim.NewDetector("d1", m, sim.WithCenter(3), sim.WithSigma(0.5), sim.WithAmplitude(500), sim.WithNoise(0))
		defer d.Shutdown(context.Background())
		if v := acquire(t, d); v != 500 {
			t.Errorf("at the center: %v, want the amplitude 500", v)
		}
		_ = m.Set(context.Background(), 3.5).Wait(context.Background())
		if v, want := acquire(t, d), 500*math.Exp(-0.5); !near(v, want) {
			t.Errorf("at 1σ: %v, want %v", v, want)
		}
		if v, want := d.Expected(2), 500*math.Exp(-2); !near(v, want) {
			t.Errorf("Expected(2σ) = %v, want %v", v, want)
		}
	})
}

func TestDetectorDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := sim.NewDetector("d1", nil, sim.WithSeed(1))
		defer d.Shutdown(context.Background())
		start := time.Now()
		var sum, sum2 float64
		const n = 2000
		for range n {
			v := acquire(t, d) - 1000
			sum += v
			sum2 += v * v
		}
		if el := time.Since(start); el != n*10*time.Millisecond {
			t.Errorf("%d triggers took %v, want 10 ms each", n, el)
		}
		mean := sum / n
		sd := math.Sqrt(sum2/n - mean*mean)
		if math.Abs(mean) > 1 || math.Abs(sd-10) > 1 {
			t.Errorf("noise mean %v sd %v, want about 0 and 10 (1%% of 1000)", mean, sd)
		}
	})
}

func TestDetectorSeedReproducibleAndClipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts := []sim.DetectorOption{sim.WithAmplitude(1), sim.WithNoise(50), sim.WithSeed(42), sim.WithExposure(0)}
		a, b := sim.NewDetector("a", nil, opts...), sim.NewDetector("b", nil, opts...)
		defer a.Shutdown(context.Background())
		defer b.Shutdown(context.Background())
		zeros := 0
		for range 100 {
			va, vb := acquire(t, a), acquire(t, b)
			if va != vb {
				t.Fatalf("same seed, different readings %v and %v", va, vb)
			}
			if va < 0 {
				t.Fatalf("negative counts %v", va)
			}
			if va == 0 {
				zeros++
			}
		}
		if zeros < 30 {
			t.Errorf("only %d of 100 readings clipped to 0", zeros)
		}
	})
}

// TestReadingAtEndOfExposure: the motor moves during the exposure; the
// reading is taken where it is at the end.
func TestReadingAtEndOfExposure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := sim.NewMotor("m1", sim.WithSpeedup(4))
		defer m.Shutdown(context.Background())
		d := sim.NewDetector("d1", m, sim.WithCenter(1), sim.WithNoise(0), sim.WithExposure(time.Second), sim.WithSpeedup(4))
		defer d.Shutdown(context.Background())
		mv := m.Set(ctx, 10.0)
		start := time.Now()
		s := d.Trigger(ctx)
		if s.Type() != device.TypeDeviceStatus {
			t.Errorf("status type %s", s.Type())
		}
		time.Sleep(200 * time.Millisecond)
		if s.IsDone() {
			t.Error("done before the end of the exposure")
		}
		if err := s.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el != 250*time.Millisecond {
			t.Errorf("exposure took %v, want 1 s / 4", el)
		}
		r, err := d.Read(ctx)
		if err != nil || r["d1"].Value != 1000.0 || r["d1_exposure"].Value != 1.0 || !r["d1"].Timestamp.Equal(time.Now()) {
			t.Errorf("Read = %v, %v; want the peak (motor at 1 at the end) and exposure 1 s", r, err)
		}
		_ = m.Stop(ctx)
		<-mv.Done()
	})
}

func TestReadBeforeTrigger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		d := sim.NewDetector("d1", nil)
		defer d.Shutdown(context.Background())
		_, err := d.Read(ctx)
		if !errors.Is(err, sim.ErrNotTriggered) || !strings.Contains(err.Error(), "d1: never triggered") {
			t.Errorf("Read before trigger: %v", err)
		}
		s := d.Trigger(ctx) // cancelled during the exposure: no reading
		time.Sleep(5 * time.Millisecond)
		cancel()
		synctest.Wait()
		if !errors.Is(s.Err(), device.ErrCancelled) {
			t.Errorf("cancelled trigger: %v", s.Err())
		}
		time.Sleep(time.Second)
		if _, err := d.Read(context.Background()); !errors.Is(err, sim.ErrNotTriggered) {
			t.Errorf("Read after a cancelled trigger: %v", err)
		}
	})
}

func TestTriggerSupersedes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d := sim.NewDetector("d1", nil, sim.WithExposure(time.Second))
		defer d.Shutdown(context.Background())
		s1 := d.Trigger(ctx)
		time.Sleep(600 * time.Millisecond)
		start := time.Now()
		s2 := d.Trigger(ctx)
		if !errors.Is(s1.Err(), device.ErrCancelled) || !strings.Contains(s1.Err().Error(), "superseded") {
			t.Errorf("first trigger: %v", s1.Err())
		}
		if err := s2.Wait(ctx); err != nil || time.Since(start) != time.Second {
			t.Errorf("second trigger: %v after %v, want a full exposure", err, time.Since(start))
		}
	})
}

func TestDetectorDescribeStageClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d := sim.NewDetector("d1", nil, sim.WithExposure(time.Second))
		dk, err := d.Describe(ctx)
		if err != nil || dk["d1"].Units != "counts" || dk["d1"].DType != "number" || dk["d1"].Source != "SIM:d1" ||
			dk["d1_exposure"].Units != "s" || len(dk) != 2 {
			t.Errorf("Describe = %+v, %v", dk, err)
		}
		_ = d.Stage(ctx)
		_ = d.Unstage(ctx)
		if s, u := d.StageCounts(); s != 1 || u != 1 {
			t.Errorf("StageCounts = %d, %d", s, u)
		}
		if device.TypeOf(d) != "SimDetector" || d.Exposure() != time.Second {
			t.Errorf("type %s exposure %v", device.TypeOf(d), d.Exposure())
		}
		s := d.Trigger(ctx)
		if err := d.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(s.Err(), device.ErrCancelled) {
			t.Errorf("trigger after Shutdown: %v", s.Err())
		}
		if err := d.Trigger(ctx).Err(); !errors.Is(err, sim.ErrClosed) {
			t.Errorf("Trigger after Shutdown: %v", err)
		}
	})
}

func TestDetectorConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := sim.NewMotor("m1", sim.WithVelocity(3))
		defer m.Shutdown(context.Background())
		d := sim.NewDetector("d1", m)
		defer d.Shutdown(context.Background())
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				for j := range 20 {
					switch (i + j) % 3 {
					case 0:
						_ = d.Trigger(ctx).Wait(ctx)
					case 1:
						_, _ = d.Read(ctx)
					case 2:
						m.Set(ctx, float64(j))
						time.Sleep(7 * time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
	})
}
