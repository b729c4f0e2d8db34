package server_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

func TestRuntimeControlPerDeviceAndProperties(t *testing.T) {
	ctx := context.Background()
	store, err := properties.Open(ctx, filepath.Join(t.TempDir(), "props.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// calc/2 is stored off: the property wins over the environment's on.
	if err := store.Set(ctx, "lab/calc/2", map[string][]string{telemetry.PropEnable: {"off"}}); err != nil {
		t.Fatal(err)
	}
	mem, spans := newMem(t)
	env := memEnv(mem)
	srv, addr := startServer(t, "CalcServer/control", env, []server.Option{server.WithPropertyStore(store)},
		calc("lab/calc/1"), calc("lab/calc/2"))
	p := dial(t, addr, offEnv)
	d1, d2 := p.Device("lab/calc/1"), p.Device("lab/calc/2")
	// Each device's telemetry: the admin client, the device's name as the
	// component's.
	tel := adminClient(t, addr)
	status := func(d *remote.DeviceProxy) telemetry.Status {
		t.Helper()
		st, err := tel.Status(ctx, d.Name())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if s1, s2 := status(d1), status(d2); !s1.Enabled || s2.Enabled {
		t.Fatalf("at start: calc/1 enabled=%v (env on), calc/2 enabled=%v (property off)", s1.Enabled, s2.Enabled)
	}

	// Change calc/1 at runtime: calc/2 keeps its settings.
	if err := tel.SetTopics(ctx, d1.Name(), []string{"user", "kernel"}); err != nil {
		t.Fatal(err)
	}
	if s1, s2 := status(d1), status(d2); !slices.Equal(s1.Topics, []string{"user", "kernel"}) || !slices.Equal(s2.Topics, []string{"user"}) || s2.Enabled {
		t.Fatalf("after SetTopics on calc/1: calc/1 %v, calc/2 %v enabled=%v", s1.Topics, s2.Topics, s2.Enabled)
	}
	// Turn calc/2 on at runtime: its calls are traced from now on.
	if err := tel.Enable(ctx, d2.Name()); err != nil {
		t.Fatal(err)
	}
	if err := d2.Command(ctx, "Echo", "hi", nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "calc/2's span", func() bool { return len(spans()) == 1 })
	if s := spans()[0]; s.Name != "Calc.Echo" {
		t.Fatalf("span %q", s.Name)
	}

	// Restart calc/2 through the server's admin device: back to its
	// properties (off). calc/1, not restarted, keeps its runtime topics.
	if err := p.Device(srv.AdminDevice()).Command(ctx, "DevRestart", "lab/calc/2", nil); err != nil {
		t.Fatal(err)
	}
	if s1, s2 := status(d1), status(d2); s2.Enabled || !slices.Equal(s1.Topics, []string{"user", "kernel"}) {
		t.Fatalf("after DevRestart calc/2: calc/2 enabled=%v, calc/1 topics %v", s2.Enabled, s1.Topics)
	}

	// A persisted change survives a restart; an unpersisted one does not.
	if err := tel.SetTopics(ctx, d1.Name(), []string{"kernel"}, admin.Persist()); err != nil {
		t.Fatal(err)
	}
	if err := tel.SetTracing(ctx, d1.Name(), false); err != nil {
		t.Fatal(err)
	}
	if err := srv.RestartDevice(ctx, "lab/calc/1"); err != nil {
		t.Fatal(err)
	}
	if s1 := status(d1); !slices.Equal(s1.Topics, []string{"kernel"}) || !s1.Tracing {
		t.Fatalf("after restart: calc/1 topics %v (persisted kernel), tracing %v (unpersisted off)", s1.Topics, s1.Tracing)
	}

	// A stopped device answers Info with state OFF, and its admin routes
	// are gone until it starts again.
	if err := srv.StopDevice(ctx, "lab/calc/2"); err != nil {
		t.Fatal(err)
	}
	if info, err := d2.Info(ctx); err != nil || info.State != remote.StateOff {
		t.Fatalf("info of a stopped device: %+v, %v", info, err)
	}
	if _, err := tel.Status(ctx, d2.Name()); err == nil {
		t.Fatal("telemetry status of a stopped device answered")
	}
	if err := srv.StartDevice(ctx, "lab/calc/2"); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.Ping(ctx); err != nil {
		t.Fatalf("ping after start: %v", err)
	}
}

// TestBadTelemetrySettingKeepsTheDeviceRunning: a device whose telemetry
// environment has a bad value starts on the value used instead, answers
// calls, and shows the problem in its telemetry status.
func TestBadTelemetrySettingKeepsTheDeviceRunning(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "off", "SIGHTLINE_TELEMETRY_TOPICS": "user,bogus"}
	_, addr := startServer(t, "CalcServer/badenv", env, nil, calc("lab/calc/1"))
	if _, err := dial(t, addr, offEnv).Device("lab/calc/1").Ping(ctx); err != nil {
		t.Fatalf("ping a device with a bad telemetry setting: %v", err)
	}
	st, err := adminClient(t, addr).Status(ctx, "lab/calc/1")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Problems) != 1 || st.Problems[0].Setting != "SIGHTLINE_TELEMETRY_TOPICS" || st.Problems[0].Value != "user,bogus" {
		t.Fatalf("problems in the device's status: %+v; want SIGHTLINE_TELEMETRY_TOPICS=user,bogus", st.Problems)
	}
}
