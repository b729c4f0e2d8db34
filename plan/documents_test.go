package plan

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func newDocEngine(opts ...Option) (*RunEngine, *docs) {
	re := NewRunEngine(append([]Option{WithClock(fixedClock()), WithUIDs(counterUIDs())}, opts...)...)
	var d docs
	re.Subscribe(d.handle)
	return re, &d
}

func TestCountDocuments(t *testing.T) {
	re, got := newDocEngine(WithScanID(7))
	d := &det{name: "det"}
	uids, err := re.Run(context.Background(), Count(readables(d), 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"start", "descriptor", "event", "event", "event", "stop"}; !slices.Equal(got.names(), want) {
		t.Fatalf("documents %q, want %q", got.names(), want)
	}
	start := got.all("start")[0]
	wantStart := Document{
		"uid": "uid-1", "time": float64(t0.Unix()), "scan_id": 7, "plan_name": "count",
		"detectors": []string{"det"}, "motors": []string{}, "num_points": 3, "num_intervals": 2,
		"plan_args": map[string]any{"detectors": []string{"det"}, "num": 3, "delay": 0.0},
	}
	if !reflect.DeepEqual(start, wantStart) {
		t.Errorf("start\n%v\nwant\n%v", start, wantStart)
	}
	if !slices.Equal(uids, []string{"uid-1"}) {
		t.Errorf("uids %q", uids)
	}
	desc := got.all("descriptor")[0]
	wantDesc := Document{
		"uid": "uid-2", "run_start": "uid-1", "name": "primary", "time": float64(t0.Unix() + 1),
		"data_keys": map[string]any{"det": map[string]any{
			"source": "test:det", "dtype": "number", "shape": []int{}, "units": "counts", "object_name": "det"}},
		"object_keys": map[string]any{"det": []string{"det"}},
	}
	if !reflect.DeepEqual(desc, wantDesc) {
		t.Errorf("descriptor\n%v\nwant\n%v", desc, wantDesc)
	}
	for i, ev := range got.all("event") {
		want := Document{
			"uid": ev["uid"], "descriptor": "uid-2", "seq_num": i + 1, "time": ev["time"],
			"data":       map[string]any{"det": float64(i + 1)},
			"timestamps": map[string]any{"det": float64(t0.Unix())},
		}
		if !reflect.DeepEqual(ev, want) {
			t.Errorf("event %d\n%v\nwant\n%v", i, ev, want)
		}
	}
	stop := got.all("stop")[0]
	wantStop := Document{"uid": stop["uid"], "run_start": "uid-1", "time": stop["time"], "exit_status": "success",
		"reason": "", "num_events": map[string]int{"primary": 3}}
	if !reflect.DeepEqual(stop, wantStop) {
		t.Errorf("stop\n%v\nwant\n%v", stop, wantStop)
	}
}

func TestScanDocuments(t *testing.T) {
	re, got := newDocEngine()
	m := &motor{name: "motor"}
	d := &det{name: "det", motor: m}
	if _, err := re.Run(context.Background(), Scan(readables(d), m, -1, 1, 5)); err != nil {
		t.Fatal(err)
	}
	start := got.all("start")[0]
	if start["plan_name"] != "scan" || !reflect.DeepEqual(start["motors"], []string{"motor"}) || start["num_points"] != 5 ||
		!reflect.DeepEqual(start["plan_args"], map[string]any{"detectors": []string{"det"}, "motor": "motor",
			"start": -1.0, "stop": 1.0, "num": 5}) {
		t.Errorf("start %v", start)
	}
	descs := got.all("descriptor")
	if len(descs) != 1 {
		t.Fatalf("%d descriptors", len(descs))
	}
	if keys := descs[0]["data_keys"].(map[string]any); len(keys) != 2 || keys["motor"].(map[string]any)["units"] != "mm" {
		t.Errorf("data_keys %v", keys)
	}
	for i, ev := range got.all("event") {
		pos := -1 + 0.5*float64(i)
		data := map[string]any{"motor": pos, "det": 10 * pos}
		if ev["seq_num"] != i+1 || !reflect.DeepEqual(ev["data"], data) {
			t.Errorf("event %d: seq_num %v data %v, want %v", i, ev["seq_num"], ev["data"], data)
		}
	}
}

// TestStreams: one descriptor per stream name and key set.
func TestStreams(t *testing.T) {
	re, got := newDocEngine()
	a, b := &det{name: "a"}, &det{name: "b"}
	p := Chain(OpenRun(nil),
		TriggerAndRead(readables(a), "primary"), TriggerAndRead(readables(a), "primary"),
		TriggerAndRead(readables(a, b), "primary"), TriggerAndRead(readables(b), "baseline"),
		TriggerAndRead(readables(b), "baseline"), CloseRun("", ""))
	if _, err := re.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range got.all("descriptor") {
		names = append(names, d["name"].(string))
	}
	if !slices.Equal(names, []string{"primary", "primary", "baseline"}) {
		t.Errorf("descriptors %q", names)
	}
	var seqs []int
	for _, ev := range got.all("event") {
		seqs = append(seqs, ev["seq_num"].(int))
	}
	if !slices.Equal(seqs, []int{1, 2, 1, 1, 2}) {
		t.Errorf("seq_nums %v", seqs)
	}
	if n := got.all("stop")[0]["num_events"]; !reflect.DeepEqual(n, map[string]int{"primary": 3, "baseline": 2}) {
		t.Errorf("num_events %v", n)
	}
}

func TestRelScanReturnsMotor(t *testing.T) {
	for _, abort := range []bool{false, true} {
		re, got := newDocEngine()
		m := &motor{name: "motor", pos: 5}
		d := &det{name: "det", motor: m}
		if abort {
			d.onTrigger = func(n int) {
				if n == 2 {
					_ = re.Abort("enough")
				}
			}
		}
		_, err := re.Run(context.Background(), RelScan(readables(d), m, -1, 1, 3))
		if (err != nil) != abort {
			t.Fatalf("abort %v: Run: %v", abort, err)
		}
		want := []float64{4, 5, 6, 5}
		if abort {
			want = []float64{4, 5, 5}
		}
		if got := m.moves(); !slices.Equal(got, want) {
			t.Errorf("abort %v: moves %v, want %v", abort, got, want)
		}
		if m.position() != 5 {
			t.Errorf("abort %v: motor at %g, want 5", abort, m.position())
		}
		if !abort && got.all("start")[0]["plan_name"] != "rel_scan" {
			t.Errorf("plan_name %v", got.all("start")[0]["plan_name"])
		}
	}
}

func TestRelGridScanReturnsMotors(t *testing.T) {
	re, _ := newDocEngine()
	m1, m2 := &motor{name: "m1", pos: 10}, &motor{name: "m2", pos: 20}
	if _, err := re.Run(context.Background(), RelGridScan(readables(&det{name: "det"}), m1, 0, 1, 2, m2, 0, 2, 3, true)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m1.moves(), []float64{10, 11, 10}) || !slices.Equal(m2.moves(), []float64{20, 21, 22, 21, 20, 20}) {
		t.Errorf("moves m1 %v m2 %v", m1.moves(), m2.moves())
	}
}

func TestGridScanOrder(t *testing.T) {
	for _, snake := range []bool{false, true} {
		re, got := newDocEngine()
		m1, m2 := &motor{name: "m1"}, &motor{name: "m2"}
		if _, err := re.Run(context.Background(), GridScan(readables(&det{name: "det"}), m1, 0, 1, 2, m2, 0, 2, 3, snake)); err != nil {
			t.Fatal(err)
		}
		var points [][2]float64
		for _, ev := range got.all("event") {
			data := ev["data"].(map[string]any)
			points = append(points, [2]float64{data["m1"].(float64), data["m2"].(float64)})
		}
		want := [][2]float64{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}
		wantM2 := []float64{0, 1, 2, 0, 1, 2}
		if snake {
			want = [][2]float64{{0, 0}, {0, 1}, {0, 2}, {1, 2}, {1, 1}, {1, 0}}
			wantM2 = []float64{0, 1, 2, 1, 0}
		}
		if !slices.Equal(points, want) {
			t.Errorf("snake %v: points %v, want %v", snake, points, want)
		}
		if !slices.Equal(m1.moves(), []float64{0, 1}) || !slices.Equal(m2.moves(), wantM2) {
			t.Errorf("snake %v: moves m1 %v m2 %v, want m2 %v", snake, m1.moves(), m2.moves(), wantM2)
		}
		start := got.all("start")[0]
		if start["num_points"] != 6 || !reflect.DeepEqual(start["shape"], []int{2, 3}) || !reflect.DeepEqual(start["snaking"], []bool{false, snake}) {
			t.Errorf("start %v", start)
		}
	}
}

func TestFlyer(t *testing.T) {
	re, got := newDocEngine()
	f := &flyer{name: "fly"}
	p := Chain(OpenRun(nil), Kickoff(f, "", true), Complete(f, "", true), Collect(f), CloseRun("", ""))
	if _, err := re.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	descs, events := got.all("descriptor"), got.all("event")
	if len(descs) != 1 || descs[0]["name"] != "fly" || len(events) != 3 {
		t.Fatalf("descriptors %v, %d events", descs, len(events))
	}
	if events[2]["time"] != float64(t0.Add(2*time.Second).Unix()) || !reflect.DeepEqual(events[2]["data"], map[string]any{"fly_x": 2.0}) {
		t.Errorf("event %v", events[2])
	}
}

// TestPlanErrors: messages out of order fail the run with a clear error.
func TestPlanErrors(t *testing.T) {
	d := &det{name: "det"}
	cases := map[string]Plan{
		"create: no run is open":                        Create(""),
		"save: no event is open (create first)":         Chain(OpenRun(nil), Save()),
		"close_run: no run is open":                     CloseRun("", ""),
		"open_run: run uid-1 is still open":             Chain(OpenRun(nil), OpenRun(nil)),
		"det read twice in one event of stream primary": Chain(OpenRun(nil), Create(""), Read(d), Read(d)),
		`unknown command "frobnicate"`:                  Func(func(y func(*Msg) bool) { y(&Msg{Command: "frobnicate"}) }),
		"count: num must be at least 1, got 0":          Count(readables(d), 0, 0),
		"set det: not a device.Movable":                 Func(func(y func(*Msg) bool) { y(&Msg{Command: CmdSet, Obj: d, Args: []any{1.0}}) }),
	}
	for want, p := range cases {
		re, _ := newDocEngine()
		_, err := re.Run(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run: %v, want %q", err, want)
		}
	}
}
