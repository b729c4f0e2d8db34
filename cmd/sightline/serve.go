package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

const serveUsage = `usage: sightline serve [flags]

Receives OTLP traces and logs over gRPC and HTTP, stores them in one SQLite
file in the data directory, and answers the query API (docs/api.md) on the
UI address. Every address is loopback unless a flag says otherwise
(0.0.0.0:PORT listens on every interface; a host-less :PORT is refused).

On start it prints one line per address and the data file:

  sightline serve: otlp grpc 127.0.0.1:4317
  sightline serve: otlp http 127.0.0.1:4318
  sightline serve: ui http://127.0.0.1:8760
  sightline serve: data /home/me/.local/share/sightline/sightline.db

then, each minute in which a counter grew, one line with what was received,
stored, rejected and refused (by reason). SIGINT or SIGTERM stops it
gracefully: the receivers stop accepting, requests in progress are stored,
the store is closed.

Exit status: 0 stopped by a signal, 1 could not start or failed, 2 usage.

flags:
`

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseServeFlags(args, stderr)
	if !ok {
		return code
	}
	setMemoryLimit(cfg)
	if err := serve(ctx, cfg, stdout); err != nil {
		for line := range strings.Lines(err.Error()) {
			fmt.Fprintf(stderr, "sightline serve: %s", strings.TrimSuffix(line, "\n")+"\n")
		}
		return exitRefused
	}
	return exitOK
}

// parseServeFlags reads and validates the flags; ok is false when the
// command should exit with code.
func parseServeFlags(args []string, stderr io.Writer) (serveConfig, int, bool) {
	cfg := defaultServeConfig()
	fs := flag.NewFlagSet("sightline serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.grpcAddr, "grpc", cfg.grpcAddr, "OTLP/gRPC listen `ADDR` (\"\" disables)")
	fs.StringVar(&cfg.httpAddr, "http", cfg.httpAddr, "OTLP/HTTP listen `ADDR` (\"\" disables)")
	fs.StringVar(&cfg.uiAddr, "ui", cfg.uiAddr, "query API (and viewer) listen `ADDR`")
	dataHelp := "data `DIR` (created 0700)"
	if cfg.dataDir == "" {
		dataHelp += "; required: no $XDG_DATA_HOME or $HOME"
	}
	fs.StringVar(&cfg.dataDir, "data", cfg.dataDir, dataHelp)
	fs.Var(byteSize{&cfg.maxRequestBytes}, "max-request-bytes", "largest OTLP request, as sent and decompressed (`SIZE`: bytes, or 16MiB, 1GiB, 500MB)")
	fs.IntVar(&cfg.maxInFlight, "max-in-flight", cfg.maxInFlight, "spans and log records admitted and not yet stored, beyond which requests are refused with 429 / RESOURCE_EXHAUSTED (`N`)")
	fs.Var(byteSize{&cfg.maxInFlightBytes}, "max-in-flight-bytes", "bytes of OTLP requests being read, decoded or stored, over both protocols, beyond which requests are refused with 429 / RESOURCE_EXHAUSTED; bounds serve's memory (`SIZE`, at least --max-request-bytes)")
	fs.IntVar(&cfg.maxConnections, "max-connections", cfg.maxConnections, "OTLP connections open at once, both protocols; past it a new connection is closed at once (`N`)")
	fs.IntVar(&cfg.maxAttributes, "max-attributes", cfg.maxAttributes, "attributes stored per span, event, link, resource, scope or log record; the rest are dropped and counted (`N`)")
	fs.Var(byteSize{&cfg.maxValueBytes}, "max-value-bytes", "bytes stored of one string or bytes value; longer ones are cut (at a UTF-8 boundary) and counted (`SIZE`)")
	fs.IntVar(&cfg.maxEvents, "max-span-events", cfg.maxEvents, "events stored per span; the rest are dropped and counted (`N`)")
	fs.IntVar(&cfg.maxLinks, "max-span-links", cfg.maxLinks, "links stored per span; the rest are dropped and counted (`N`)")
	fs.Var(ageFlag{&cfg.retentionAge}, "retention-age", "delete traces and logs older than this (`AGE`: 7d, 168h; 0 keeps them)")
	fs.Var(byteSize{&cfg.retentionBytes}, "retention-size", "delete the oldest data past this much (`SIZE`: 1GiB, 500MB; 0 no cap)")
	fs.BoolVar(&cfg.fsync, "fsync", cfg.fsync, "wait for the disk on every commit (survives power loss, slower); without it a commit survives the process being killed")
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, exitOK, false
		}
		return cfg, exitUsage, false
	}
	err := cfg.validate()
	if fs.NArg() > 0 {
		err = errors.Join(fmt.Errorf("unexpected argument %q: serve takes only flags", fs.Arg(0)), err)
	}
	if err != nil {
		for line := range strings.Lines(err.Error()) {
			fmt.Fprintf(stderr, "sightline serve: %s", strings.TrimSuffix(line, "\n")+"\n")
		}
		fmt.Fprintln(stderr)
		fs.Usage()
		return cfg, exitUsage, false
	}
	return cfg, exitOK, true
}

// serveLine prints one "sightline serve: ..." line.
func serveLine(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "sightline serve: "+format+"\n", args...)
}

// setMemoryLimit gives the Go runtime a soft memory limit between what the
// receiver can hold (--max-in-flight-bytes, docs/security.md) and the peak
// RSS docs/security.md states (100 MiB + 2 x that): near it the garbage
// collector runs sooner instead of letting the heap grow to twice what is
// live. GOMEMLIMIT, when set, wins.
func setMemoryLimit(cfg serveConfig) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(100<<20 + cfg.maxInFlightBytes + cfg.maxInFlightBytes/2)
}
