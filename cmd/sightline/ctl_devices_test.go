package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// ctlDeviceToken is the admin token of the device server in these tests.
const ctlDeviceToken = "ctl-devices-test-token-0123456789abcdef"

// startDeviceServer serves a device server with two devices on a free
// loopback port until the test ends, and returns its address and
// property store.
func startDeviceServer(t *testing.T) (string, *properties.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	store, err := properties.Open(ctx, filepath.Join(t.TempDir(), "props.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	env := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TYPES":             "tracing,logging",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "none",
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "none",
		"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL":     "off",
	}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	srv, err := server.New(ctx, "CalcServer/ctl", server.WithEnv(getenv), server.WithAdminToken(ctlDeviceToken),
		server.WithPropertyStore(store))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lab/calc/1", "lab/calc/2"} {
		d := server.NewDevice(name, "Calc")
		server.Command(d, "Echo", func(_ context.Context, s string) (string, error) { return s, nil })
		if err := srv.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("shut down: %v", err)
		}
	})
	return addr.String(), store
}

// runCtlIn runs `sightline ctl ARGS` in this process and returns its
// output (stdout then stderr) and exit code.
func runCtlIn(args ...string) (string, int) {
	var out, errb bytes.Buffer
	code := runCtl(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), code
}

// TestCtlAgainstDeviceServer runs every ctl verb against a real device
// server (remote/server over loopback), as a Tango user runs their admin
// commands against a device server: the component list (which redirected
// to a 404 before), and status, start/stop, topics, tracing and logging
// switches and endpoints (set, add, remove), sampler, inflight and
// --persist on one device, each checked through the answer and the
// device's status afterwards, leaving the other device alone.
func TestCtlAgainstDeviceServer(t *testing.T) {
	addr, store := startDeviceServer(t)
	base := []string{"--addr", addr, "--token", ctlDeviceToken, "--timeout", "20s"}
	ctl := func(t *testing.T, args ...string) string {
		t.Helper()
		out, code := runCtlIn(append(slices.Clone(base), args...)...)
		if code != exitOK {
			t.Fatalf("ctl %s: exit %d:\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	ctlJSON := func(t *testing.T, v any, args ...string) {
		t.Helper()
		out := ctl(t, append([]string{"--json"}, args...)...)
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("ctl %s: %v in\n%s", strings.Join(args, " "), err, out)
		}
	}
	status := func(t *testing.T, comp string) telemetry.Status {
		t.Helper()
		var st telemetry.Status
		ctlJSON(t, &st, comp, "status")
		return st
	}
	const dev = "lab/calc/1"
	ep := func(port string) string { return "http://127.0.0.1:" + port + "/v1/traces" }
	logEP := "http://127.0.0.1:9/v1/logs"

	t.Run("components", func(t *testing.T) {
		want := []string{"dserver/CalcServer/ctl", "lab/calc/1", "lab/calc/2"}
		if out := ctl(t, "components"); out != strings.Join(want, "\n")+"\n" {
			t.Fatalf("components printed %q, want %q", out, want)
		}
		var got []string
		ctlJSON(t, &got, "components")
		if !slices.Equal(got, want) {
			t.Fatalf("components --json %v, want %v", got, want)
		}
	})
	t.Run("status", func(t *testing.T) {
		st := status(t, dev)
		if !st.Enabled || st.Component != dev {
			t.Fatalf("status of %s: component %q enabled %v", dev, st.Component, st.Enabled)
		}
		if out := ctl(t, "dserver/CalcServer/ctl", "status"); !strings.Contains(out, "dserver/CalcServer/ctl") {
			t.Fatalf("status of the admin device:\n%s", out)
		}
	})
	t.Run("stop and start", func(t *testing.T) {
		var v enabledView
		ctlJSON(t, &v, dev, "stop")
		if v.Enabled || status(t, dev).Enabled {
			t.Fatalf("after stop: answer %+v, status enabled %v", v, status(t, dev).Enabled)
		}
		if !status(t, "lab/calc/2").Enabled {
			t.Fatal("stopping lab/calc/1 stopped lab/calc/2")
		}
		ctlJSON(t, &v, dev, "start")
		if !v.Enabled || !status(t, dev).Enabled {
			t.Fatalf("after start: answer %+v", v)
		}
	})
	t.Run("topics", func(t *testing.T) {
		var v topicsView
		ctlJSON(t, &v, dev, "topics", "set", "user,kernel")
		if !slices.Equal(v.Topics, []string{"user", "kernel"}) {
			t.Fatalf("topics set answered %v", v.Topics)
		}
		ctlJSON(t, &v, dev, "topics")
		if !slices.Equal(v.Topics, []string{"user", "kernel"}) || !slices.Equal(status(t, dev).Topics, v.Topics) {
			t.Fatalf("topics read %v, status %v", v.Topics, status(t, dev).Topics)
		}
	})
	for _, sig := range []string{"tracing", "logging"} {
		t.Run(sig+" on and off", func(t *testing.T) {
			var v signalView
			ctlJSON(t, &v, dev, sig, "off")
			on := func() bool {
				st := status(t, dev)
				if sig == "tracing" {
					return st.Tracing
				}
				return st.Logging
			}
			if v.Enabled || on() {
				t.Fatalf("%s off: answer %+v, status on %v", sig, v, on())
			}
			ctlJSON(t, &v, dev, sig)
			if v.Enabled {
				t.Fatalf("%s read after off: %+v", sig, v)
			}
			ctlJSON(t, &v, dev, sig, "on")
			if !v.Enabled || !on() {
				t.Fatalf("%s on: answer %+v, status on %v", sig, v, on())
			}
		})
	}
	t.Run("tracing endpoints", func(t *testing.T) {
		var v endpointsView
		ctlJSON(t, &v, dev, "tracing", "endpoints", "set", "http", ep("7"), "http", ep("8"))
		want := []telemetry.Endpoint{{Exporter: "http", URL: ep("7")}, {Exporter: "http", URL: ep("8")}}
		if !slices.Equal(v.Endpoints, want) {
			t.Fatalf("set answered %v, want %v", v.Endpoints, want)
		}
		ctlJSON(t, &v, dev, "tracing", "endpoints", "remove", "http", ep("7"))
		ctlJSON(t, &v, dev, "tracing", "endpoints", "add", "http", ep("9"))
		want = []telemetry.Endpoint{{Exporter: "http", URL: ep("8")}, {Exporter: "http", URL: ep("9")}}
		ctlJSON(t, &v, dev, "tracing", "endpoints")
		if !slices.Equal(v.Endpoints, want) {
			t.Fatalf("after remove and add: %v, want %v", v.Endpoints, want)
		}
	})
	t.Run("logging endpoints", func(t *testing.T) {
		var v endpointsView
		ctlJSON(t, &v, dev, "logging", "endpoints", "add", "http", logEP)
		ctlJSON(t, &v, dev, "logging", "endpoints")
		if !slices.Contains(v.Endpoints, telemetry.Endpoint{Exporter: "http", URL: logEP}) {
			t.Fatalf("logging endpoints after add: %v", v.Endpoints)
		}
		ctlJSON(t, &v, dev, "logging", "endpoints", "remove", "http", logEP)
		if slices.Contains(v.Endpoints, telemetry.Endpoint{Exporter: "http", URL: logEP}) {
			t.Fatalf("logging endpoints after remove: %v", v.Endpoints)
		}
		ctlJSON(t, &v, dev, "logging", "endpoints", "set")
		if len(v.Endpoints) != 1 || v.Endpoints[0].Exporter != telemetry.ExporterNone {
			t.Fatalf("logging endpoints after set with none: %v, want only none", v.Endpoints)
		}
	})
	t.Run("sampler", func(t *testing.T) {
		var v samplerView
		ctlJSON(t, &v, dev, "sampler", "0.25")
		if v.Sampler.Ratio != 0.25 {
			t.Fatalf("sampler 0.25 answered %+v", v.Sampler)
		}
		ctlJSON(t, &v, dev, "sampler")
		if v.Sampler.Ratio != 0.25 {
			t.Fatalf("sampler read %+v", v.Sampler)
		}
	})
	t.Run("inflight", func(t *testing.T) {
		var v inflightView
		ctlJSON(t, &v, dev, "inflight", "off", "threshold", "3s", "interval", "20s")
		if v.InFlight.Settings.Mode != telemetry.InFlightOff || v.InFlight.Settings.Threshold != 3*time.Second || v.InFlight.Settings.Interval != 20*time.Second {
			t.Fatalf("inflight set answered %+v", v.InFlight)
		}
		ctlJSON(t, &v, dev, "inflight")
		if v.InFlight.Settings.Mode != telemetry.InFlightOff {
			t.Fatalf("inflight read %+v", v.InFlight)
		}
	})
	t.Run("persist", func(t *testing.T) {
		ctl(t, "--persist", "lab/calc/2", "topics", "set", "kernel")
		props, err := store.Get(context.Background(), "lab/calc/2")
		if err != nil {
			t.Fatal(err)
		}
		if got := props[telemetry.PropTopics]; !slices.Equal(got, []string{"kernel"}) {
			t.Fatalf("stored %s = %v, want [kernel]; all: %v", telemetry.PropTopics, got, props)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			text string
		}{
			{[]string{"lab/calc/9", "status"}, exitRefused, "lab/calc/9"},
			{[]string{dev, "topics", "set", "user,gpu"}, exitRefused, "gpu"},
			{[]string{dev, "dance"}, exitUsage, "unknown action"},
		} {
			out, code := runCtlIn(append(slices.Clone(base), tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.text) {
				t.Errorf("ctl %s: exit %d, output %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, out, tc.code, tc.text)
			}
		}
	})
}
