// Command sightline is the sightline binary: the collector, store, query
// API and viewer (serve), the same with a simulated facility traced into it
// (demo, with its device server and task worker processes: devices,
// worker), file import, and runtime control of telemetry (ctl). Each
// subcommand lives in its own file with a run function that parses its
// flags; the logic lives in packages (internal/serve for serve and demo).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitRefused = 1 // the server refused, or could not be reached
	exitUsage   = 2
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"ctl", "control a running component's telemetry, and stored properties", runCtl},
	{"demo", "collector, store and viewer in one process, with a simulated experiment traced into them", runDemo},
	{"devices", "the demo's simulated hardware on a device server", runDevices},
	{"import", "load span and log files into a running collector, or a data directory", runImport},
	{"serve", "receive OTLP traces and logs, store them, answer the query API", runServe},
	{"version", "print the version", runVersion},
	{"worker", "run task workers (NATS JetStream) for the functions compiled into sightline", runWorker},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sightline: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sightline COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun sightline COMMAND -h for a command's usage.")
}
