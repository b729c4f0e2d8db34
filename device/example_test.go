package device_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/device"
)

type stage struct{ name string }

func (s stage) Name() string { return s.name }

// A device's move: the Status is created when the move starts, finished by
// whatever sees the move end (here a goroutine standing for the hardware),
// and waited for by the plan. Its span, "MoveStatus stage_x", records the
// target, the start and finish positions and the unit.
func ExampleNewStatus() {
	ctx := context.Background()
	x := stage{"stage_x"}
	st := device.NewStatus(ctx, device.WithType(device.TypeMoveStatus), device.WithDevice(x),
		device.WithTarget(12.5), device.WithStartPos(10.0), device.WithUnit("mm"),
		device.WithTimeout(5*time.Second))
	go func() {
		// ... the hardware moves ...
		st.SetFinishPos(12.5)
		st.Finish(nil)
	}()
	err := st.Wait(ctx)
	fmt.Println(st.Type(), st.Device().Name(), st.FinishPos(), err)
	// Output: MoveStatus stage_x 12.5 <nil>
}

// An operation that fails before it starts returns a Status already
// complete with the error; its span ends at once with that error.
func ExampleFinished() {
	x := stage{"stage_x"}
	st := device.Finished(context.Background(), errors.New("interlock open"), device.WithDevice(x))
	fmt.Println(st.IsDone(), st.Success(), st.Err())
	// Output: true false interlock open
}
