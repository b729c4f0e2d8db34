package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"

	"github.com/sightline-dev/sightline/internal/demo"
)

const devicesUsage = `usage: sightline devices [flags]

Runs the demo beamline's simulated hardware (bl12/motor/1..3, bl12/det/1)
on a device server (package remote/server; protocol in docs/remote-protocol.md),
each device tracing to the collector at --otlp. Prints "devices: ADDR" once
it listens and serves until interrupted. sightline demo starts one of these
as a separate process; run it yourself to try proxies or curl against it.

flags:
`

func runDevices(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sightline devices", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (127.0.0.1:0 picks a free port)")
	otlp := fs.String("otlp", "http://127.0.0.1:4318", "collector OTLP/HTTP base URL for the devices' telemetry")
	speedup := fs.Float64("speedup", 20, "run the simulated hardware this many times faster than real time")
	fs.Usage = func() { fmt.Fprint(stderr, devicesUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sightline devices: takes no arguments, got %q\n", fs.Args())
		return exitUsage
	}
	if *speedup <= 0 {
		fmt.Fprintf(stderr, "sightline devices: --speedup %v: want a number > 0\n", *speedup)
		return exitUsage
	}
	if u, err := url.Parse(*otlp); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "sightline devices: --otlp %q: want an http:// or https:// base URL such as http://127.0.0.1:4318\n", *otlp)
		return exitUsage
	}
	err := demo.ServeDevices(ctx, demo.DevicesConfig{Addr: *addr, OTLPEndpoint: *otlp, Speedup: *speedup},
		func(a net.Addr) { fmt.Fprintf(stdout, "devices: %s\n", a) })
	if err != nil {
		fmt.Fprintf(stderr, "sightline devices: %v\n", err)
		return exitRefused
	}
	return exitOK
}
