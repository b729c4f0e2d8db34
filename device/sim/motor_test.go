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

// moveTo sets m to target and checks the Status is not done at once.
func moveTo(t *testing.T, ctx context.Context, m *sim.Motor, target any) *device.Status {
	t.Helper()
	s := m.Set(ctx, target)
	if s.IsDone() {
		t.Fatalf("move to %v done at once: %v", target, s.Err())
	}
	return s
}

func TestMoveTakesDistanceOverVelocity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := sim.NewMotor("m1", sim.WithVelocity(2))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, ctx, m, 10.0)
		time.Sleep(2500 * time.Millisecond)
		if p := m.Position(); p != 5 || !m.Moving() {
			t.Errorf("at 2.5 s: position %v moving %v, want 5 and moving", p, m.Moving())
		}
		r, err := m.Read(ctx)
		if err != nil || r["m1"].Value != 5.0 || r["m1_setpoint"].Value != 10.0 || !r["m1"].Timestamp.Equal(time.Now()) {
			t.Errorf("Read = %v, %v", r, err)
		}
		if err := s.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 5*time.Second {
			t.Errorf("move took %v, want 5s", d)
		}
		if p := m.Position(); p != 10 || m.Moving() {
			t.Errorf("after: position %v moving %v", p, m.Moving())
		}
	})
}

func TestTrapezoidInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// t_a = 2 s, d_a = 2 mm, cruise 6 mm in 3 s: 7 s in all.
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithAcceleration(1), sim.WithPosition(-5))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, context.Background(), m, 5)
		for _, c := range []struct{ at, want float64 }{{1, -4.5}, {2, -3}, {3.5, 0}, {5, 3}, {6, 4.5}} {
			time.Sleep(time.Until(start.Add(time.Duration(c.at * float64(time.Second)))))
			if p := m.Position(); !near(p, c.want) {
				t.Errorf("at %v s: position %v, want %v", c.at, p, c.want)
			}
		}
		<-s.Done()
		if d := time.Since(start); d != 7*time.Second || m.Position() != 5 {
			t.Errorf("arrived at %v after %v, want 5 after 7s", m.Position(), d)
		}
	})
}

func TestTriangleInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithAcceleration(1))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, context.Background(), m, -2)
		sqrt2 := math.Sqrt2
		half := time.Duration(sqrt2 * 1e9) // ns, rounded down
		time.Sleep(half)
		if p := m.Position(); math.Abs(p+1) > 1e-6 {
			t.Errorf("at half time: %v, want -1", p)
		}
		<-s.Done()
		if d := time.Since(start); d < 2*half || d > 2*half+time.Microsecond {
			t.Errorf("took %v, want 2√2 s", d)
		}
	})
}

func TestSettleTimeDelaysDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithSettleTime(time.Second))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, context.Background(), m, 10)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if m.Moving() || m.Position() != 10 || s.IsDone() {
			t.Errorf("at arrival: moving %v position %v done %v; want arrived, settling", m.Moving(), m.Position(), s.IsDone())
		}
		<-s.Done()
		if d := time.Since(start); d != 6*time.Second || !s.Success() {
			t.Errorf("done after %v (%v), want 6s", d, s.Err())
		}
	})
}

func TestSpeedup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithSpeedup(100), sim.WithSettleTime(time.Second))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, context.Background(), m, 10)
		time.Sleep(25 * time.Millisecond)
		if p := m.Position(); !near(p, 5) {
			t.Errorf("at 25 ms: %v, want 5", p)
		}
		<-s.Done()
		if d := time.Since(start); d != 60*time.Millisecond {
			t.Errorf("took %v, want (5 s + 1 s settle)/100", d)
		}
	})
}

func TestTimeoutStopsMotor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithTimeout(2*time.Second))
		defer m.Shutdown(context.Background())
		s := moveTo(t, context.Background(), m, 10)
		if err := s.Wait(context.Background()); !errors.Is(err, device.ErrTimeout) {
			t.Fatalf("Wait = %v, want timeout", err)
		}
		synctest.Wait()
		if m.Moving() || m.Position() != 4 {
			t.Errorf("after timeout: moving %v at %v, want stopped at 4", m.Moving(), m.Position())
		}
		time.Sleep(10 * time.Second)
		if m.Position() != 4 {
			t.Errorf("moved on after timeout: %v", m.Position())
		}
	})
}

func TestContextCancelStopsMotor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2))
		defer m.Shutdown(context.Background())
		ctx, cancel := context.WithCancel(context.Background())
		s := moveTo(t, ctx, m, 10)
		time.Sleep(time.Second)
		cancel()
		synctest.Wait()
		if !errors.Is(s.Err(), device.ErrCancelled) || m.Moving() || m.Position() != 2 {
			t.Errorf("after cancel: err %v moving %v at %v, want cancelled, stopped at 2", s.Err(), m.Moving(), m.Position())
		}
	})
}

func TestStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2))
		defer m.Shutdown(context.Background())
		if err := m.Stop(context.Background()); err != nil {
			t.Errorf("Stop at rest: %v", err)
		}
		s := moveTo(t, context.Background(), m, -10)
		time.Sleep(1500 * time.Millisecond)
		if err := m.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !s.IsDone() || !errors.Is(s.Err(), device.ErrCancelled) || !strings.Contains(s.Err().Error(), "stopped") {
			t.Errorf("status after Stop: done %v err %v", s.IsDone(), s.Err())
		}
		time.Sleep(time.Second)
		if m.Moving() || m.Position() != -3 {
			t.Errorf("after Stop: moving %v at %v, want still at -3", m.Moving(), m.Position())
		}
	})
}

func TestSupersedingSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := sim.NewMotor("m1", sim.WithVelocity(2))
		defer m.Shutdown(context.Background())
		s1 := moveTo(t, ctx, m, 10)
		time.Sleep(time.Second)
		start := time.Now()
		s2 := moveTo(t, ctx, m, int64(-10))
		if !errors.Is(s1.Err(), device.ErrCancelled) || !strings.Contains(s1.Err().Error(), "superseded") {
			t.Errorf("first move: %v, want cancelled, superseded", s1.Err())
		}
		time.Sleep(time.Second)
		if p := m.Position(); p != 0 {
			t.Errorf("1 s into the new move from 2: %v, want 0", p)
		}
		if err := s2.Wait(ctx); err != nil || time.Since(start) != 6*time.Second || m.Position() != -10 {
			t.Errorf("second move: %v after %v at %v, want 12 mm in 6 s", err, time.Since(start), m.Position())
		}
	})
}

func TestLimits(t *testing.T) {
	m := sim.NewMotor("m1", sim.WithLimits(5, -5), sim.WithPosition(1))
	defer m.Shutdown(context.Background())
	for target, name := range map[any]string{10: "10", -5.5: "-5.5", float32(6): "6"} {
		s := m.Set(context.Background(), target)
		if !s.IsDone() || !errors.Is(s.Err(), sim.ErrOutOfLimits) {
			t.Fatalf("Set(%v): done %v err %v, want failed at once", target, s.IsDone(), s.Err())
		}
		if want := "move m1 to " + name + ": outside the limits [-5, 5]"; s.Err().Error() != want {
			t.Errorf("error %q, want %q", s.Err(), want)
		}
	}
	if m.Position() != 1 || m.Moving() {
		t.Error("motor moved on a rejected target")
	}
	if s := m.Set(context.Background(), 5); s.IsDone() {
		t.Error("the limit itself is rejected")
	}
}

func TestBadValue(t *testing.T) {
	m := sim.NewMotor("m1")
	defer m.Shutdown(context.Background())
	for _, v := range []any{"10", nil, uint8(3), math.NaN(), math.Inf(-1)} {
		s := m.Set(context.Background(), v)
		if !s.IsDone() || !errors.Is(s.Err(), sim.ErrBadValue) || !strings.Contains(s.Err().Error(), "m1") {
			t.Errorf("Set(%#v): done %v err %v", v, s.IsDone(), s.Err())
		}
	}
	if err := m.Set(context.Background(), "x").Err(); !strings.Contains(err.Error(), "string") {
		t.Errorf("error %q does not name the type", err)
	}
}

func TestFaultFailsHalfway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errJam := errors.New("mechanical jam")
		m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithAcceleration(1), sim.WithFault(func(target float64) error {
			if target == 10 {
				return errJam
			}
			return nil
		}))
		defer m.Shutdown(context.Background())
		start := time.Now()
		s := moveTo(t, context.Background(), m, 10)
		time.Sleep(3 * time.Second)
		if p := m.Position(); !near(p, 4) { // 2 mm accelerating, 2 mm cruising
			t.Errorf("at 3 s: %v, want 4", p)
		}
		err := s.Wait(context.Background())
		if !errors.Is(err, errJam) || !strings.Contains(err.Error(), "failed at 5") {
			t.Errorf("Wait = %v, want the fault at 5", err)
		}
		if d := time.Since(start); d != 3500*time.Millisecond || m.Position() != 5 || m.Moving() {
			t.Errorf("failed after %v at %v (moving %v), want 3.5s at 5", d, m.Position(), m.Moving())
		}
		if err := m.Set(context.Background(), 0).Wait(context.Background()); err != nil {
			t.Errorf("move without fault: %v", err)
		}
	})
}

func TestShutdownStopsAndRejects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sim.NewMotor("m1", sim.WithVelocity(2))
		s := moveTo(t, context.Background(), m, 10)
		time.Sleep(time.Second)
		if err := m.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(s.Err(), device.ErrCancelled) || m.Position() != 2 {
			t.Errorf("after Shutdown: %v at %v", s.Err(), m.Position())
		}
		if err := m.Set(context.Background(), 1).Err(); !errors.Is(err, sim.ErrClosed) {
			t.Errorf("Set after Shutdown: %v", err)
		}
		if err := m.Shutdown(context.Background()); err != nil {
			t.Errorf("second Shutdown: %v", err)
		}
	})
}

func TestMotorDescribeStageType(t *testing.T) {
	ctx := context.Background()
	m := sim.NewMotor("m1", sim.WithUnit("deg"), sim.WithPosition(3))
	defer m.Shutdown(context.Background())
	dk, err := m.Describe(ctx)
	if err != nil || len(dk) != 2 {
		t.Fatalf("Describe = %v, %v", dk, err)
	}
	if k := dk["m1"]; k.Source != "SIM:m1" || k.DType != "number" || k.Shape == nil || len(k.Shape) != 0 || k.Units != "deg" {
		t.Errorf("m1: %+v", k)
	}
	if k := dk["m1_setpoint"]; k.DType != "number" || k.Units != "deg" {
		t.Errorf("m1_setpoint: %+v", k)
	}
	r, err := m.Read(ctx)
	if err != nil || r["m1"].Value != 3.0 || r["m1_setpoint"].Value != 3.0 {
		t.Errorf("Read = %v, %v", r, err)
	}
	_ = m.Stage(ctx)
	_ = m.Unstage(ctx)
	_ = m.Stage(ctx)
	if s, u := m.StageCounts(); s != 2 || u != 1 {
		t.Errorf("StageCounts = %d, %d", s, u)
	}
	if device.TypeOf(m) != "SimMotor" || m.Unit() != "deg" {
		t.Errorf("type %s unit %s", device.TypeOf(m), m.Unit())
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Read(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context: %v", err)
	}
}

// TestConcurrentUse drives one motor from many goroutines (for -race).
func TestConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := sim.NewMotor("m1", sim.WithVelocity(5), sim.WithAcceleration(20), sim.WithLimits(-100, 100))
		defer m.Shutdown(context.Background())
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for j := range 20 {
					switch (i + j) % 4 {
					case 0:
						_ = m.Set(ctx, float64(i*10-j)).Wait(ctx)
					case 1:
						_, _ = m.Read(ctx)
						_ = m.Moving()
					case 2:
						_ = m.Stop(ctx)
					case 3:
						m.Set(ctx, i)
						time.Sleep(100 * time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		_ = m.Shutdown(ctx)
		if m.Moving() {
			t.Error("moving after Shutdown")
		}
	})
}
