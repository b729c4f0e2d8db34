package sim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/device/sim"
)

func TestMoveStatusSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := tracing(t)
		ctx, parent := tr.Start(context.Background(), "plan")
		m := sim.NewMotor("m1", sim.WithTracer(tr), sim.WithVelocity(2), sim.WithPosition(1),
			sim.WithSettleTime(time.Second), sim.WithTimeout(time.Minute))
		defer m.Shutdown(context.Background())
		if err := m.Set(ctx, 11).Wait(ctx); err != nil {
			t.Fatal(err)
		}
		parent.End()
		s := span(t, exp, "MoveStatus m1")
		if s.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Error("status span is not a child of the Set context")
		}
		if d := s.EndTime.Sub(s.StartTime); d != 6*time.Second {
			t.Errorf("span lasted %v, want 5 s move + 1 s settle", d)
		}
		a := attrsOf(s)
		for k, want := range map[string]attribute.Value{
			"status_type": attribute.StringValue("MoveStatus"), "device_name": attribute.StringValue("m1"),
			"device_type": attribute.StringValue("SimMotor"), "target": attribute.Float64Value(11),
			"start_pos": attribute.Float64Value(1), "finish_pos": attribute.Float64Value(11),
			"unit": attribute.StringValue("mm"), "settle_time": attribute.Float64Value(1),
			"timeout": attribute.Float64Value(60), "success": attribute.BoolValue(true),
		} {
			if a[k] != want {
				t.Errorf("%s = %s, want %s", k, a[k].String(), want.String())
			}
		}
		if s.Status.Code == codes.Error {
			t.Errorf("successful move has status %v", s.Status)
		}
	})
}

func TestFailedMoveSpans(t *testing.T) {
	errJam := errors.New("mechanical jam")
	tests := []struct {
		name      string
		run       func(m *sim.Motor)
		finishPos attribute.Value // empty: none
		reason    string
	}{
		{"fault", func(m *sim.Motor) { _ = m.Set(context.Background(), 10).Wait(context.Background()) },
			attribute.Float64Value(5), "mechanical jam"},
		{"stop", func(m *sim.Motor) {
			m.Set(context.Background(), 10)
			time.Sleep(time.Second)
			_ = m.Stop(context.Background())
		}, attribute.Float64Value(2), "stopped"},
		{"superseded", func(m *sim.Motor) {
			m.Set(context.Background(), -10)
			time.Sleep(500 * time.Millisecond)
			_ = m.Set(context.Background(), 4).Wait(context.Background())
		}, attribute.Float64Value(-1), "superseded by a move to 4"},
		{"limits", func(m *sim.Motor) { m.Set(context.Background(), 100) }, attribute.Value{}, "outside the limits [-50, 50]"},
		{"bad value", func(m *sim.Motor) { m.Set(context.Background(), []int{1}) }, attribute.Value{}, "value of type []int"},
		{"timeout", func(m *sim.Motor) { _ = m.Set(context.Background(), 40).Wait(context.Background()) },
			attribute.Value{}, "did not finish within 10s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, exp := tracing(t)
				m := sim.NewMotor("m1", sim.WithTracer(tr), sim.WithVelocity(2), sim.WithLimits(-50, 50),
					sim.WithTimeout(10*time.Second), sim.WithFault(func(target float64) error {
						if target == 10 && tt.name == "fault" {
							return errJam
						}
						return nil
					}))
				defer m.Shutdown(context.Background())
				tt.run(m)
				synctest.Wait()
				var failed int
				for _, s := range exp.GetSpans() {
					if s.Name != "MoveStatus m1" || s.Status.Code != codes.Error {
						continue
					}
					failed++
					if !strings.Contains(s.Status.Description, tt.reason) {
						t.Errorf("status %q lacks %q", s.Status.Description, tt.reason)
					}
					a := attrsOf(s)
					if a["finish_pos"] != tt.finishPos || a["success"] != attribute.BoolValue(false) {
						t.Errorf("finish_pos %s success %s, want %s", a["finish_pos"].String(), a["success"].String(), tt.finishPos.String())
					}
				}
				if failed != 1 {
					t.Errorf("%d failed MoveStatus spans, want 1", failed)
				}
			})
		})
	}
}

func TestTriggerSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := tracing(t)
		d := sim.NewDetector("d1", nil, sim.WithTracer(tr), sim.WithExposure(time.Second), sim.WithSpeedup(10))
		defer d.Shutdown(context.Background())
		if err := d.Trigger(context.Background()).Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := span(t, exp, "DeviceStatus d1")
		a := attrsOf(s)
		if a["device_type"] != attribute.StringValue("SimDetector") || a["success"] != attribute.BoolValue(true) ||
			s.EndTime.Sub(s.StartTime) != 100*time.Millisecond {
			t.Errorf("span %v lasting %v", a, s.EndTime.Sub(s.StartTime))
		}
	})
}
