package sim_test

import (
	"context"
	"fmt"

	"github.com/sightline-dev/sightline/device/sim"
)

// A motor scans a detector's peak, 1000 times faster than the hardware:
// each 1 mm step at 2 mm/s takes 0.5 ms instead of 0.5 s.
func Example() {
	ctx := context.Background()
	m := sim.NewMotor("m1", sim.WithVelocity(2), sim.WithAcceleration(10), sim.WithSpeedup(1000))
	defer m.Shutdown(ctx)
	d := sim.NewDetector("det", m, sim.WithCenter(2), sim.WithSigma(1), sim.WithAmplitude(1000),
		sim.WithNoise(0), sim.WithSpeedup(1000))
	defer d.Shutdown(ctx)

	for x := 0; x <= 4; x++ {
		if err := m.Set(ctx, x).Wait(ctx); err != nil {
			fmt.Println(err)
			return
		}
		if err := d.Trigger(ctx).Wait(ctx); err != nil {
			fmt.Println(err)
			return
		}
		r, err := d.Read(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("m1 = %.1f mm  det = %6.1f counts\n", m.Position(), r["det"].Value)
	}
	// Output:
	// m1 = 0.0 mm  det =  135.3 counts
	// m1 = 1.0 mm  det =  606.5 counts
	// m1 = 2.0 mm  det = 1000.0 counts
	// m1 = 3.0 mm  det =  606.5 counts
	// m1 = 4.0 mm  det =  135.3 counts
}
