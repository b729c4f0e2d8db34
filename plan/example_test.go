package plan_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/plan"
)

// exMotor is an instant motor: Set moves it at once.
type exMotor struct {
	name string
	pos  float64
}

func (m *exMotor) Name() string { return m.name }
func (m *exMotor) Read(context.Context) (map[string]device.Reading, error) {
	return map[string]device.Reading{m.name: {Value: m.pos}}, nil
}
func (m *exMotor) Describe(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{m.name: {Source: "example", DType: "number", Units: "mm"}}, nil
}
func (m *exMotor) Set(ctx context.Context, v any) *device.Status {
	m.pos = v.(float64)
	return device.Finished(ctx, nil, device.WithType(device.TypeMoveStatus), device.WithDevice(m), device.WithTarget(v))
}

// exDet reads the square of its motor's position.
type exDet struct {
	name  string
	motor *exMotor
}

func (d *exDet) Name() string { return d.name }
func (d *exDet) Read(context.Context) (map[string]device.Reading, error) {
	return map[string]device.Reading{d.name: {Value: d.motor.pos * d.motor.pos}}, nil
}
func (d *exDet) Describe(context.Context) (map[string]device.DataKey, error) {
	return map[string]device.DataKey{d.name: {Source: "example", DType: "number"}}, nil
}
func (d *exDet) Trigger(ctx context.Context) *device.Status {
	return device.Finished(ctx, nil, device.WithDevice(d))
}

// clock is a fixed clock for reproducible output: one second per call.
func clock() func() time.Time {
	t := time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func ExampleRunEngine_Run() {
	m := &exMotor{name: "motor"}
	det := &exDet{name: "det", motor: m}
	re := plan.NewRunEngine(plan.WithClock(clock()))
	re.Subscribe(func(name string, doc plan.Document) {
		switch name {
		case "start":
			fmt.Println("start", doc["plan_name"], doc["num_points"])
		case "event":
			data := doc["data"].(map[string]any)
			fmt.Println("event", doc["seq_num"], data["motor"], data["det"])
		case "stop":
			fmt.Println("stop", doc["exit_status"], doc["num_events"])
		}
	})
	uids, err := re.Run(context.Background(), plan.Scan([]device.Readable{det}, m, -1, 1, 3))
	fmt.Println(len(uids), err)
	// Output:
	// start scan 3
	// event 1 -1 1
	// event 2 0 0
	// event 3 1 1
	// stop success map[primary:3]
	// 1 <nil>
}

func ExampleNewTablePrinter() {
	m := &exMotor{name: "motor"}
	det := &exDet{name: "det", motor: m}
	re := plan.NewRunEngine(plan.WithClock(clock()), plan.WithUIDs(func() string { return "0a1b2c3d-uid" }))
	table := plan.NewTablePrinter(os.Stdout, "motor", "det")
	table.Location = time.UTC
	re.Subscribe(table.Handle)
	_, _ = re.Run(context.Background(), plan.Scan([]device.Readable{det}, m, 0, 2, 3))
	// Output:
	// +-----------+------------+------------+------------+
	// |   seq_num |       time |      motor |        det |
	// +-----------+------------+------------+------------+
	// |         1 | 09:30:03.0 |      0.000 |      0.000 |
	// |         2 | 09:30:04.0 |      1.000 |      1.000 |
	// |         3 | 09:30:05.0 |      2.000 |      4.000 |
	// +-----------+------------+------------+------------+
	// generator scan ['0a1b2c3d'] (scan num: 1)
}

// A plan written as a function: read a value, use it, compose stubs.
func ExampleFunc() {
	m := &exMotor{name: "motor", pos: 3}
	p := plan.Func(func(yield func(*plan.Msg) bool) {
		v, ok := plan.Rd(yield, m)
		if !ok {
			return
		}
		fmt.Println("motor at", v)
		if !plan.YieldFrom(yield, plan.Set(m, v.(float64)*2, "", true)) {
			return
		}
		msg := &plan.Msg{Command: "read", Obj: m}
		if !yield(msg) {
			return
		}
		fmt.Println("now at", msg.Result.(map[string]device.Reading)["motor"].Value)
	})
	_, err := plan.NewRunEngine().Run(context.Background(), p)
	fmt.Println(err)
	// Output:
	// motor at 3
	// now at 6
	// <nil>
}

func ExampleCount() {
	det := &exDet{name: "det", motor: &exMotor{name: "m", pos: 2}}
	re := plan.NewRunEngine(plan.WithClock(clock()))
	var values []any
	re.Subscribe(func(name string, doc plan.Document) {
		if name == "event" {
			values = append(values, doc["data"].(map[string]any)["det"])
		}
	})
	_, err := re.Run(context.Background(), plan.Count([]device.Readable{det}, 3, 0))
	fmt.Println(values, err)
	// Output:
	// [4 4 4] <nil>
}
