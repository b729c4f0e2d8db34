package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/telemetry"
)

const serveUsage = `usage: sightline serve [flags]

Receives OTLP traces and logs over gRPC and HTTP, stores them in one SQLite
file in the data directory, and answers the query API (docs/api.md) and the
viewer (docs/viewer.md) on the UI address. Every address is loopback unless
a flag says otherwise (0.0.0.0:PORT listens on every interface; a host-less
:PORT is refused).

On start it prints one line per address and the data file:

  sightline serve: otlp grpc 127.0.0.1:4317
  sightline serve: otlp http 127.0.0.1:4318
  sightline serve: ui http://127.0.0.1:8760
  sightline serve: data /home/me/.local/share/sightline/sightline.db

then, each minute in which a counter grew, one line with what was received,
stored, rejected and refused (by reason). SIGINT or SIGTERM stops it
gracefully: the receivers stop accepting, requests in progress are stored,
the store is closed.

With --forward URL it also forwards everything it receives to the facility's
OpenTelemetry pipeline: each request is queued on disk (<data>/forward)
before it is acknowledged, and sent upstream at least once, across outages
and restarts ("sightline serve: forward URL (queue ...)" at start).

Settings come, lowest precedence first, from the defaults, --config's JSON
file (keys: the flag names, such as {"forward": "grpc://gw:4317"}), the
environment (SIGHTLINE_SERVE_FORWARD, SIGHTLINE_SERVE_FORWARD_HEADERS, ...;
docs/api.md) and the flags.

Exit status: 0 stopped by a signal, 1 could not start or failed, 2 usage.

flags:
`

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseServeFlags(args, stderr)
	if !ok {
		return code
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(cfg.MemoryLimit())
	}
	// serve's own telemetry is the process's one component: its providers,
	// propagator and error handler are the globals.
	srv, err := serve.New(cfg, serve.WithOutput(stdout), serve.WithTelemetry(telemetry.WithGlobal()))
	if err == nil {
		err = srv.Run(ctx)
	}
	if err != nil {
		serveErrorLines(stderr, err)
		return exitRefused
	}
	return exitOK
}

// parseServeFlags reads and validates the settings into a serve.Config,
// from the flags, the environment and --config's file; ok is false when
// the command should exit with code.
func parseServeFlags(args []string, stderr io.Writer) (serve.Config, int, bool) {
	return parseServeSettings(args, os.LookupEnv, stderr)
}

// serveFlagSet defines serve's flags on cfg (and --config on configFile),
// their defaults being cfg's values.
func serveFlagSet(cfg *serve.Config, configFile *string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sightline serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(configFile, "config", "", "read settings from this JSON `FILE` (keys: the flag names; see docs/api.md); the environment and flags override it")
	fs.StringVar(&cfg.GRPCAddr, "grpc", cfg.GRPCAddr, "OTLP/gRPC listen `ADDR` (\"\" disables)")
	fs.StringVar(&cfg.HTTPAddr, "http", cfg.HTTPAddr, "OTLP/HTTP listen `ADDR` (\"\" disables)")
	fs.StringVar(&cfg.UIAddr, "ui", cfg.UIAddr, "query API and viewer listen `ADDR`")
	dataHelp := "data `DIR` (created 0700)"
	if cfg.DataDir == "" {
		dataHelp += "; required: no $XDG_DATA_HOME or $HOME"
	}
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, dataHelp)
	fs.Var(byteSize{&cfg.MaxRequestBytes}, "max-request-bytes", "largest OTLP request, as sent and decompressed (`SIZE`: bytes, or 16MiB, 1GiB, 500MB)")
	fs.IntVar(&cfg.MaxInFlightItems, "max-in-flight", cfg.MaxInFlightItems, "spans and log records admitted and not yet stored, beyond which requests are refused with 429 / RESOURCE_EXHAUSTED (`N`)")
	fs.Var(byteSize{&cfg.MaxInFlightBytes}, "max-in-flight-bytes", "bytes of OTLP requests being read, decoded or stored, over both protocols, beyond which requests are refused with 429 / RESOURCE_EXHAUSTED; bounds serve's memory (`SIZE`, at least --max-request-bytes)")
	fs.IntVar(&cfg.MaxConnections, "max-connections", cfg.MaxConnections, "OTLP connections open at once, both protocols; past it a new connection is closed at once (`N`)")
	fs.IntVar(&cfg.MaxAttributes, "max-attributes", cfg.MaxAttributes, "attributes stored per span, event, link, resource, scope or log record; the rest are dropped and counted (`N`)")
	fs.Var(byteSize{&cfg.MaxValueBytes}, "max-value-bytes", "bytes stored of one string or bytes value; longer ones are cut (at a UTF-8 boundary) and counted (`SIZE`)")
	fs.IntVar(&cfg.MaxEvents, "max-span-events", cfg.MaxEvents, "events stored per span; the rest are dropped and counted (`N`)")
	fs.IntVar(&cfg.MaxLinks, "max-span-links", cfg.MaxLinks, "links stored per span; the rest are dropped and counted (`N`)")
	fs.Var(ageFlag{&cfg.RetentionAge}, "retention-age", "delete traces and logs older than this (`AGE`: 7d, 168h; 0 keeps them)")
	fs.Var(byteSize{&cfg.RetentionBytes}, "retention-size", "delete the oldest data past this much (`SIZE`: 1GiB, 500MB; 0 no cap)")
	fs.BoolVar(&cfg.Fsync, "fsync", cfg.Fsync, "wait for the disk on every commit (survives power loss, slower); without it a commit survives the process being killed")
	fs.StringVar(&cfg.ForwardURL, "forward", cfg.ForwardURL, "forward everything received to this upstream OTLP pipeline, queued on disk first (`URL`: grpc://HOST:PORT, grpcs://, http://HOST:PORT[/PREFIX], https://; \"\" forwards nothing)")
	fs.Var(&headerFlag{m: &cfg.ForwardHeaders}, "forward-header", "a header sent upstream with every request, such as authorization=Bearer... (`KEY=VALUE`, repeatable; values are never shown)")
	fs.StringVar(&cfg.ForwardCAFile, "forward-ca", cfg.ForwardCAFile, "PEM `FILE` of the authorities trusted for a grpcs:// or https:// upstream (default: the system's)")
	fs.StringVar(&cfg.ForwardCompression, "forward-compression", cfg.ForwardCompression, "compression of requests upstream: `gzip|none`")
	fs.Var(durationFlag{&cfg.ForwardTimeout}, "forward-timeout", "bound of one request upstream (`DURATION`)")
	fs.Var(byteSize{&cfg.ForwardQueueBytes}, "forward-queue-size", "bound of the forward queue on disk, in <data>/forward (`SIZE`: 16MiB to 1TiB, at least twice --max-request-bytes)")
	fs.StringVar((*string)(&cfg.ForwardWhenFull), "forward-when-full", string(cfg.ForwardWhenFull), "when the queue is full, `block|drop-oldest`: refuse requests with 429 / RESOURCE_EXHAUSTED (nothing acknowledged is lost), or drop the oldest queued (counted)")
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	return fs
}

// serveErrorLines prints err, one "sightline serve: " line per line.
func serveErrorLines(w io.Writer, err error) {
	for line := range strings.Lines(err.Error()) {
		fmt.Fprint(w, serve.LinePrefix+strings.TrimSuffix(line, "\n")+"\n")
	}
}
