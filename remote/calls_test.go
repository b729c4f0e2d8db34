package remote_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/remote"
)

func TestCommandsAndAttributes(t *testing.T) {
	_, addr := startServer(t, "CalcServer/test", offEnv, nil, calc("lab/calc/1"))
	p := dial(t, addr, offEnv)
	ctx := context.Background()
	d := p.Device("lab/calc/1")

	if _, err := d.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	var got float64
	if err := d.Command(ctx, "Add", sum{A: 2, B: 3.5}, &got); err != nil || got != 5.5 {
		t.Fatalf("Add = %v, %v; want 5.5", got, err)
	}
	var echo string
	if err := d.Command(ctx, "Echo", "héllo", &echo); err != nil || echo != "héllo" {
		t.Fatalf("Echo = %q, %v", echo, err)
	}
	if err := d.WriteAttribute(ctx, "gain", 20.0); err != nil {
		t.Fatalf("write gain: %v", err)
	}
	before := time.Now().Add(-time.Second)
	av, err := d.ReadAttribute(ctx, "gain")
	if err != nil {
		t.Fatal(err)
	}
	var g float64
	if err := av.Decode(&g); err != nil || g != 20 || av.Quality != remote.QualityWarning || av.Time.Before(before) {
		t.Fatalf("gain = %v (%v) quality %s time %v", g, err, av.Quality, av.Time)
	}
	if err := d.Command(ctx, "Add", sum{A: 1, B: 1}, &got); err != nil || got != 40 {
		t.Fatalf("Add after gain 20 = %v, %v; want 40", got, err)
	}
	info, err := d.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Class != "Calc" || info.State != remote.StateOn || len(info.Commands) != 4 || len(info.Attributes) != 2 {
		t.Fatalf("info = %+v", info)
	}
	if c := info.Commands[0]; c.Name != "Add" || c.In != "object" || c.Out != "number" {
		t.Errorf("Add described as %+v", c)
	}
	if a := info.Attributes[0]; a.Name != "gain" || !a.Writable || a.Unit != "x" || a.Type != "number" {
		t.Errorf("gain described as %+v", a)
	}
	devs, err := p.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].Name != "lab/calc/1" {
		t.Fatalf("devices = %+v, %v", devs, err)
	}
	var names []string
	if err := p.Device("dserver/CalcServer/test").Command(ctx, "QueryDevice", nil, &names); err != nil || len(names) != 1 {
		t.Fatalf("QueryDevice = %v, %v", names, err)
	}
}

func TestBadInputGetsTypedErrors(t *testing.T) {
	srv, addr := startServer(t, "CalcServer/bad", offEnv, nil, calc("lab/calc/1"), calc("lab/calc/2"))
	p := dial(t, addr, offEnv)
	ctx := context.Background()
	if err := srv.StopDevice(ctx, "lab/calc/2"); err != nil {
		t.Fatal(err)
	}
	d := p.Device("lab/calc/1")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	cases := []struct {
		name     string
		call     func() error
		sentinel error
		status   int
		msg      []string
	}{
		{"unknown device", func() error { return p.Device("lab/nope/1").Command(ctx, "Add", sum{}, nil) },
			remote.ErrUnknownDevice, 404, []string{`"lab/nope/1"`, "CalcServer/bad"}},
		{"unknown command", func() error { return d.Command(ctx, "Multiply", nil, nil) },
			remote.ErrUnknownCommand, 404, []string{`"Multiply"`, "Add, Echo, Fail, Sleep"}},
		{"unknown attribute", func() error { _, err := d.ReadAttribute(ctx, "offset"); return err },
			remote.ErrUnknownAttribute, 404, []string{`"offset"`, "gain, label"}},
		{"wrong argument type", func() error { return d.Command(ctx, "Add", "two", nil) },
			remote.ErrBadArgument, 400, []string{"Add wants object", `"two"`}},
		{"unknown argument field", func() error { return d.Command(ctx, "Add", map[string]any{"a": 1, "c": 2}, nil) },
			remote.ErrBadArgument, 400, []string{`unknown field "c"`}},
		{"missing argument", func() error { return d.Command(ctx, "Echo", nil, nil) },
			remote.ErrBadArgument, 400, []string{"Echo wants string, got nothing"}},
		{"wrong value type", func() error { return d.WriteAttribute(ctx, "gain", "high") },
			remote.ErrBadArgument, 400, []string{"gain wants number", `"high"`}},
		{"read-only attribute", func() error { return d.WriteAttribute(ctx, "label", "x") },
			remote.ErrReadOnly, 405, []string{"label", "read-only"}},
		{"device code fails", func() error { return d.Command(ctx, "Fail", nil, nil) },
			remote.ErrFailed, 500, []string{"the sample holder is jammed"}},
		{"write refused by device", func() error { return d.WriteAttribute(ctx, "gain", -1.0) },
			remote.ErrFailed, 500, []string{"gain must be positive"}},
		{"device not running", func() error { return p.Device("lab/calc/2").Command(ctx, "Add", sum{}, nil) },
			remote.ErrNotRunning, 503, []string{"lab/calc/2", "stopped"}},
		{"deadline", func() error { return d.Command(short, "Sleep", 5000, nil) },
			context.DeadlineExceeded, 0, []string{"timeout"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, c.sentinel) {
				t.Fatalf("err = %v, want %v", err, c.sentinel)
			}
			var e *remote.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not a *remote.Error", err)
			}
			if c.status != 0 && e.HTTPStatus != c.status {
				t.Errorf("HTTP status %d, want %d", e.HTTPStatus, c.status)
			}
			for _, m := range c.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q lacks %q", err.Error(), m)
				}
			}
		})
	}
	// The device still serves after all that.
	var got float64
	if err := d.Command(ctx, "Add", sum{A: 1, B: 2}, &got); err != nil || got != 3 {
		t.Fatalf("Add after bad calls = %v, %v", got, err)
	}
}

func TestUnreachableServerFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := dial(t, addr, offEnv, remote.WithTimeout(2*time.Second))
	_, err = p.Device("lab/calc/1").Ping(context.Background())
	if !errors.Is(err, remote.ErrUnreachable) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("ping of a closed port: %v", err)
	}
}

func TestDialRefusesBadAddresses(t *testing.T) {
	for _, addr := range []string{"", "localhost", "ftp://h:1", "http://h:1/path", "http://u@h:1", "h:1?x=1", "::nope"} {
		if _, err := remote.Dial(addr); err == nil || !strings.Contains(err.Error(), "address") {
			t.Errorf("Dial(%q) = %v, want an address error", addr, err)
		}
	}
}
