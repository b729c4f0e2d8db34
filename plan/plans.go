package plan

import (
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/device"
)

// Built-in plans, Bluesky's count, scan, grid_scan, rel_scan and
// rel_grid_scan. Each stages its devices, opens a run whose start document
// holds plan_name, detectors, motors, num_points, num_intervals and
// plan_args, produces one event per point in stream "primary" (detectors
// then motors read), closes the run and unstages.

// Count triggers and reads dets num times, sleeping delay between readings.
func Count(dets []device.Readable, num int, delay time.Duration) Plan {
	if num < 1 {
		return Fail(fmt.Errorf("count: num must be at least 1, got %d", num))
	}
	md := map[string]any{
		"plan_name": "count", "detectors": names(dets), "motors": []string{}, "num_points": num, "num_intervals": num - 1,
		"plan_args": map[string]any{"detectors": names(dets), "num": num, "delay": delay.Seconds()},
	}
	body := func(yield func(*Msg) bool) {
		for i := range num {
			if !YieldFrom(yield, Checkpoint()) || !YieldFrom(yield, TriggerAndRead(dets, "primary")) {
				return
			}
			if i < num-1 && delay > 0 && !YieldFrom(yield, Sleep(delay)) {
				return
			}
		}
	}
	return stagedRun(devices(dets), md, body)
}

// Scan moves motor through num evenly spaced positions from start to stop
// and triggers and reads dets (and the motor) at each.
func Scan(dets []device.Readable, motor device.Movable, start, stop float64, num int) Plan {
	return scan("scan", dets, motor, start, stop, num, start, stop)
}

// RelScan is Scan relative to the motor's position, read first through a
// read message; the motor is moved back there at the end, also when the
// run is aborted, stopped or fails (not on halt).
func RelScan(dets []device.Readable, motor device.Movable, start, stop float64, num int) Plan {
	return func(yield func(*Msg) bool) {
		pos, ok := position(yield, motor)
		if !ok {
			return
		}
		YieldFrom(yield, Finalize(scan("rel_scan", dets, motor, pos+start, pos+stop, num, start, stop), Set(motor, pos, "", true)))
	}
}

func scan(name string, dets []device.Readable, motor device.Movable, start, stop float64, num int, argStart, argStop float64) Plan {
	if num < 1 {
		return Fail(fmt.Errorf("%s: num must be at least 1, got %d", name, num))
	}
	md := map[string]any{
		"plan_name": name, "detectors": names(dets), "motors": []string{motor.Name()},
		"num_points": num, "num_intervals": num - 1,
		"plan_args": map[string]any{"detectors": names(dets), "motor": motor.Name(), "start": argStart, "stop": argStop, "num": num},
	}
	read := append(append([]device.Readable{}, dets...), motor)
	body := func(yield func(*Msg) bool) {
		for _, p := range linspace(start, stop, num) {
			if !YieldFrom(yield, Checkpoint()) || !YieldFrom(yield, Set(motor, p, "", true)) ||
				!YieldFrom(yield, TriggerAndRead(read, "primary")) {
				return
			}
		}
	}
	return stagedRun(append(devices(dets), motor), md, body)
}

// GridScan scans m1 (outer, n1 points from s1 to e1) and m2 (inner, n2
// points from s2 to e2) over a grid; with snake, the inner motor goes back
// and forth instead of returning to s2 at each row. At each point it moves
// the motors whose position changes (in one group) and triggers and reads
// dets and both motors.
func GridScan(dets []device.Readable, m1 device.Movable, s1, e1 float64, n1 int,
	m2 device.Movable, s2, e2 float64, n2 int, snake bool) Plan {
	return gridScan("grid_scan", dets, m1, s1, e1, n1, m2, s2, e2, n2, snake, 0, 0)
}

// RelGridScan is GridScan relative to the motors' positions, read first;
// both are moved back at the end, also when the run is aborted, stopped or
// fails (not on halt).
func RelGridScan(dets []device.Readable, m1 device.Movable, s1, e1 float64, n1 int,
	m2 device.Movable, s2, e2 float64, n2 int, snake bool) Plan {
	return func(yield func(*Msg) bool) {
		p1, ok := position(yield, m1)
		if !ok {
			return
		}
		p2, ok := position(yield, m2)
		if !ok {
			return
		}
		back := func(yield func(*Msg) bool) {
			g := newGroup("reset")
			if YieldFrom(yield, Set(m1, p1, g, false)) && YieldFrom(yield, Set(m2, p2, g, false)) {
				YieldFrom(yield, Wait(g))
			}
		}
		YieldFrom(yield, Finalize(gridScan("rel_grid_scan", dets, m1, s1, e1, n1, m2, s2, e2, n2, snake, p1, p2), back))
	}
}

func gridScan(name string, dets []device.Readable, m1 device.Movable, s1, e1 float64, n1 int,
	m2 device.Movable, s2, e2 float64, n2 int, snake bool, off1, off2 float64) Plan {
	if n1 < 1 || n2 < 1 {
		return Fail(fmt.Errorf("%s: numbers of points must be at least 1, got %d and %d", name, n1, n2))
	}
	md := map[string]any{
		"plan_name": name, "detectors": names(dets), "motors": []string{m1.Name(), m2.Name()},
		"num_points": n1 * n2, "num_intervals": n1*n2 - 1, "shape": []int{n1, n2},
		"extents": [][]float64{{s1, e1}, {s2, e2}}, "snaking": []bool{false, snake},
		"plan_args": map[string]any{
			"detectors": names(dets), "args": []any{m1.Name(), s1, e1, n1, m2.Name(), s2, e2, n2},
			"snake_axes": snake,
		},
	}
	read := append(append([]device.Readable{}, dets...), m1, m2)
	body := func(yield func(*Msg) bool) {
		var last1, last2 float64
		for i, p1 := range linspace(s1+off1, e1+off1, n1) {
			inner := linspace(s2+off2, e2+off2, n2)
			if snake && i%2 == 1 {
				for a, b := 0, len(inner)-1; a < b; a, b = a+1, b-1 {
					inner[a], inner[b] = inner[b], inner[a]
				}
			}
			for j, p2 := range inner {
				if !YieldFrom(yield, Checkpoint()) {
					return
				}
				g := newGroup("grid")
				if (i == 0 && j == 0 || p1 != last1) && !YieldFrom(yield, Set(m1, p1, g, false)) {
					return
				}
				if (i == 0 && j == 0 || p2 != last2) && !YieldFrom(yield, Set(m2, p2, g, false)) {
					return
				}
				last1, last2 = p1, p2
				if !YieldFrom(yield, Wait(g)) || !YieldFrom(yield, TriggerAndRead(read, "primary")) {
					return
				}
			}
		}
	}
	return stagedRun(append(devices(dets), m1, m2), md, body)
}

// stagedRun stages devs, opens a run with md, runs body, closes the run and
// unstages (in reverse order).
func stagedRun(devs []device.Device, md map[string]any, body Plan) Plan {
	return func(yield func(*Msg) bool) {
		devs := uniqueDevices(devs)
		for _, d := range devs {
			if !YieldFrom(yield, Stage(d)) {
				return
			}
		}
		if !YieldFrom(yield, OpenRun(md)) || !YieldFrom(yield, body) || !YieldFrom(yield, CloseRun("", "")) {
			return
		}
		for i := len(devs) - 1; i >= 0; i-- {
			if !YieldFrom(yield, Unstage(devs[i])) {
				return
			}
		}
	}
}

// position reads a motor's position as a number.
func position(yield func(*Msg) bool, m device.Movable) (float64, bool) {
	v, ok := Rd(yield, m)
	if !ok {
		return 0, false
	}
	f, err := toFloat(v)
	if err != nil {
		yield(failMsg(fmt.Errorf("position of %s: %w", m.Name(), err)))
		return 0, false
	}
	return f, true
}

// linspace is num evenly spaced values from start to stop (both included).
func linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(num-1)
	for i := range out {
		out[i] = start + float64(i)*step
	}
	out[num-1] = stop
	return out
}

func names(dets []device.Readable) []string {
	out := make([]string, len(dets))
	for i, d := range dets {
		out[i] = d.Name()
	}
	return out
}

func devices(dets []device.Readable) []device.Device {
	out := make([]device.Device, len(dets))
	for i, d := range dets {
		out[i] = d
	}
	return out
}

func uniqueDevices(in []device.Device) []device.Device {
	out := make([]device.Device, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, d := range in {
		if d == nil || seen[d.Name()] {
			continue
		}
		seen[d.Name()] = true
		out = append(out, d)
	}
	return out
}
