package admin

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
)

// TestInFlightRoute: GET answers the settings and counters; PUT changes the
// settings given, each persisted with its own properties and shown with
// source runtime; the new values come back as properties at the next
// start.
func TestInFlightRoute(t *testing.T) {
	p := &fakePersister{}
	f := serve(t, WithPersister(p))
	r := f.do(t, "GET", motor+"/inflight", "", nil)
	var st telemetry.InFlightStatus
	if err := json.Unmarshal(r.body, &st); r.status != http.StatusOK || err != nil {
		t.Fatalf("GET: %d %s (%v)", r.status, r.body, err)
	}
	if st.Settings != (telemetry.InFlightSettings{Mode: telemetry.InFlightAuto, Threshold: time.Second, Interval: 10 * time.Second}) ||
		len(st.Endpoints) != 1 || st.Endpoints[0].Signal != telemetry.SignalLogs {
		t.Errorf("GET: %s; want the defaults and the memory endpoint's announcements", r.body)
	}

	r = f.do(t, "PUT", motor+"/inflight?persist=1", `{"mode":"off","threshold":"2s","interval":"5000"}`, nil)
	if r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	want := telemetry.InFlightSettings{Mode: telemetry.InFlightOff, Threshold: 2 * time.Second, Interval: 5 * time.Second}
	if err := json.Unmarshal(r.body, &st); err != nil || st.Settings != want {
		t.Errorf("PUT answered %s, want settings %+v", r.body, want)
	}
	if got := f.comp.Control().InFlight(); got != want {
		t.Errorf("Control().InFlight() = %+v, want %+v", got, want)
	}
	props := map[string][]string{}
	for _, c := range p.took() {
		maps.Copy(props, c.props)
	}
	wantProps := map[string][]string{telemetry.PropInFlight: {"off"}, telemetry.PropInFlightThreshold: {"2s"},
		telemetry.PropInFlightInterval: {"5s"}}
	if !reflect.DeepEqual(props, wantProps) {
		t.Errorf("persisted %v, want %v", props, wantProps)
	}
	for _, s := range f.comp.Control().Status().Settings {
		if (s.Key == telemetry.KeyInFlight || s.Key == telemetry.KeyInFlightThreshold || s.Key == telemetry.KeyInFlightInterval) &&
			s.Origin.Source != telemetry.SourceRuntime {
			t.Errorf("%s has source %s after PUT, want runtime", s.Key, s.Origin.Source)
		}
	}
	next, err := telemetry.Setup(context.Background(), telemetry.WithEnv(lookup(nil)), telemetry.WithProperties(props))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Shutdown(context.Background())
	if got := next.Control().InFlight(); got != want {
		t.Errorf("restarted with the persisted properties: %+v, want %+v", got, want)
	}
}

// TestInFlightRouteRefusals: a bad value names its field, its value and
// what is allowed, and changes nothing, not even the good fields beside it.
func TestInFlightRouteRefusals(t *testing.T) {
	f := serve(t)
	for _, tc := range []struct {
		body  string
		field string
		value string
	}{
		{`{"mode":"sometimes"}`, "mode", "sometimes"},
		{`{"mode":"on","threshold":"1ms"}`, "threshold", "1ms"},
		{`{"mode":"on","interval":"forever"}`, "interval", "forever"},
		{`{"interval":"2h"}`, "interval", "2h"},
		{`{}`, "", ""},
		{`{"period":"1s"}`, "period", ""},
	} {
		before := snap(f.comp)
		r := f.do(t, "PUT", motor+"/inflight", tc.body, nil)
		e := errorBody(t, r)
		checkError(t, r.status, e, Error{StatusCode: http.StatusBadRequest, Field: tc.field, Value: tc.value})
		if tc.field == "threshold" && (len(e.Allowed) != 1 || e.Allowed[0] == "") {
			t.Errorf("%s: allowed %q, want the bounds described", tc.body, e.Allowed)
		}
		before.unchanged(t, f.comp)
	}
}

// TestInFlightClient: the Go client's methods round-trip through the
// route.
func TestInFlightClient(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	if err := f.client.SetInFlight(ctx, "motor", telemetry.InFlightSettings{Interval: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	st, err := f.client.InFlight(ctx, "motor")
	if err != nil {
		t.Fatal(err)
	}
	if st.Settings != (telemetry.InFlightSettings{Mode: telemetry.InFlightAuto, Threshold: time.Second, Interval: 3 * time.Second}) {
		t.Errorf("after SetInFlight(interval 3s): %+v", st.Settings)
	}
	err = f.client.SetInFlight(ctx, "motor", telemetry.InFlightSettings{Mode: "sometimes"})
	if e := asError(t, err); e.StatusCode != http.StatusBadRequest || e.Field != "mode" {
		t.Errorf("bad mode: %v", err)
	}
}
