package serve

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/sampling"
	"github.com/sightline-dev/sightline/internal/store"
)

// DefaultUIAddr is where the query API and the viewer listen by default.
const DefaultUIAddr = "127.0.0.1:8760"

// Config is what a [Server] runs with: the flags of `sightline serve`, one
// field each (the field's documentation names its flag, and the errors of
// [Config.Validate] and [Server.Start] name the flag, since that is how a
// user sets it). Start from [DefaultConfig]: the zero Config is not valid.
type Config struct {
	// GRPCAddr is the OTLP/gRPC listen address, HOST:PORT with an explicit
	// host (--grpc); "" disables the gRPC receiver. Port 0 picks a free
	// port ([Server.Addrs] tells which). Default 127.0.0.1:4317.
	GRPCAddr string
	// HTTPAddr is the OTLP/HTTP listen address (--http), like GRPCAddr;
	// "" disables it. At least one of the two must be set. Default
	// 127.0.0.1:4318.
	HTTPAddr string
	// UIAddr is the listen address of the query API and the viewer (--ui),
	// HOST:PORT; required. Default [DefaultUIAddr].
	UIAddr string
	// DataDir is the data directory (--data), created 0700 if missing; it
	// holds the store's one SQLite file. Required: "" is refused. Default
	// [DefaultDataDir].
	DataDir string
	// MaxRequestBytes caps one OTLP request, in bytes, as sent and after
	// decompression (--max-request-bytes): 1 KiB to 1 GiB. Default 16 MiB.
	MaxRequestBytes int64
	// MaxInFlightItems caps the spans and log records admitted and not yet
	// stored (--max-in-flight); a request past it is refused with 429 /
	// RESOURCE_EXHAUSTED. At least 1; default 100,000.
	MaxInFlightItems int
	// MaxInFlightBytes caps the bytes of OTLP requests being read, decoded
	// or stored, over both protocols (--max-in-flight-bytes): it bounds the
	// process's memory (about 100 MiB + 2 x this, docs/security.md). From
	// MaxRequestBytes to 1 TiB; default 256 MiB.
	MaxInFlightBytes int64
	// MaxConnections caps the OTLP connections open at once, both
	// protocols (--max-connections); past it a new connection is closed at
	// once. 1 to 1,048,576; default 1024.
	MaxConnections int
	// MaxAttributes caps the attributes stored per span, event, link,
	// resource, scope or log record (--max-attributes); the rest are
	// dropped and counted. 1 to 1,048,576; default 1024.
	MaxAttributes int
	// MaxValueBytes caps the bytes stored of one string or bytes value
	// (--max-value-bytes); longer ones are cut at a UTF-8 boundary and
	// counted. 1 byte to 64 MiB; default 64 KiB.
	MaxValueBytes int64
	// MaxEvents caps the events stored per span (--max-span-events); the
	// rest are dropped and counted. 1 to 1,048,576; default 1024.
	MaxEvents int
	// MaxLinks caps the links stored per span (--max-span-links), like
	// MaxEvents. Default 1024.
	MaxLinks int
	// RetentionAge deletes traces and logs older than this
	// (--retention-age); 0 keeps them, else at least a minute. Default 7
	// days.
	RetentionAge time.Duration
	// RetentionBytes deletes the oldest data past this many bytes
	// (--retention-size); 0 sets no cap, else at least 1 MiB. Default 1 GiB.
	RetentionBytes int64
	// Fsync waits for the disk on every commit (--fsync): a commit then
	// survives a power loss, not only the process being killed. Default
	// off.
	Fsync bool
	// ShutdownTimeout bounds the graceful stop of [Server.Run]: receivers,
	// query API, store and telemetry. More than 0; default 15 s.
	ShutdownTimeout time.Duration
	// StatsInterval is how often a line reports the receiver counters that
	// grew (nothing is printed for an interval in which none did). More
	// than 0; default a minute.
	StatsInterval time.Duration

	// ForwardURL is the upstream OpenTelemetry pipeline that everything
	// received is forwarded to (--forward): grpc://host:port,
	// grpcs://host:port (TLS), http://host[:port][/prefix] or https://...
	// (OTLP/HTTP protobuf). Each request is queued on disk in
	// <DataDir>/forward before it is stored and acknowledged, and sent
	// upstream at least once (internal/forward). "" forwards nothing: the
	// default; the other Forward fields are then unused, and not checked.
	ForwardURL string
	// ForwardHeaders are sent with every request upstream
	// (--forward-header KEY=VALUE, repeatable), such as
	// {"authorization": "Bearer ..."}. The values are secrets: never
	// printed, put in errors or shown in /api/stats (their names are). nil
	// sends none.
	ForwardHeaders map[string]string
	// ForwardCAFile is a PEM file of the certificate authorities trusted
	// for a grpcs:// or https:// upstream (--forward-ca); "" trusts the
	// system's.
	ForwardCAFile string
	// ForwardCompression compresses requests upstream
	// (--forward-compression): "none" (the default: CPU on the agent's
	// host matters more than bytes on a facility's network) or "gzip"
	// (gzip's best speed, for a slow or metered link).
	ForwardCompression string
	// ForwardTimeout bounds one request upstream (--forward-timeout). More
	// than 0; default 10 s.
	ForwardTimeout time.Duration
	// ForwardQueueBytes bounds the forward queue's files on disk, in bytes
	// (--forward-queue-size): 16 MiB to 1 TiB, and at least twice
	// MaxRequestBytes, so that any request received can be queued. Default
	// 2 GiB.
	ForwardQueueBytes int64
	// ForwardWhenFull is what a request that does not fit in a full queue
	// gets (--forward-when-full): [forward.Block] (the default) refuses it
	// with 429 / RESOURCE_EXHAUSTED and a retry delay, so nothing
	// acknowledged is lost; [forward.DropOldest] deletes the oldest queued
	// requests to make room, counting them.
	ForwardWhenFull forward.WhenFull
	// Sampling, when set, forwards only the traces its policies keep
	// (the config file's "sampling" key, parsed by sampling.Parse; no
	// flag). Only with ForwardURL. nil forwards everything.
	Sampling *sampling.Config
}

// DefaultConfig returns the defaults of the flags of `sightline serve`.
// DataDir is [DefaultDataDir], or "" when there is no per-user data
// directory (no $XDG_DATA_HOME nor $HOME): then it must be set.
func DefaultConfig() Config {
	so := store.DefaultOptions()
	dir, _ := DefaultDataDir()
	return Config{
		GRPCAddr: otlp.DefaultGRPCAddr, HTTPAddr: otlp.DefaultHTTPAddr, UIAddr: DefaultUIAddr, DataDir: dir,
		MaxRequestBytes: otlp.DefaultMaxRequestBytes, MaxInFlightItems: otlp.DefaultMaxInFlightItems,
		MaxInFlightBytes: otlp.DefaultMaxInFlightBytes, MaxConnections: otlp.DefaultMaxConnections,
		MaxAttributes: so.MaxAttributes, MaxValueBytes: int64(so.MaxValueBytes), MaxEvents: so.MaxEvents, MaxLinks: so.MaxLinks,
		RetentionAge: so.RetentionAge, RetentionBytes: so.RetentionBytes,
		ShutdownTimeout: 15 * time.Second, StatsInterval: time.Minute,
		ForwardCompression: "none", ForwardTimeout: forward.DefaultTimeout, ForwardQueueBytes: forward.DefaultMaxBytes,
		ForwardWhenFull: forward.Block,
	}
}

// DefaultDataDir is $XDG_DATA_HOME/sightline (when that is an absolute
// path), else ~/.local/share/sightline; an error when neither is known.
func DefaultDataDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "sightline"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no per-user data directory (set --data, $XDG_DATA_HOME or $HOME): %w", err)
	}
	return filepath.Join(home, ".local", "share", "sightline"), nil
}

// MemoryLimit is a soft memory limit for the Go runtime, in bytes, between
// what the receivers can hold (MaxInFlightBytes) and the peak RSS
// docs/security.md states (100 MiB + 2 x that): near it the garbage
// collector runs sooner instead of letting the heap grow to twice what is
// live. `sightline serve` sets it (debug.SetMemoryLimit) unless GOMEMLIMIT
// is set; a library never changes the process's limit itself.
func (c Config) MemoryLimit() int64 {
	return 100<<20 + c.MaxInFlightBytes + c.MaxInFlightBytes/2
}

// Validate reports every invalid setting, one per line, each naming its
// flag, its value and what is allowed.
func (c Config) Validate() error {
	var errs []error
	for _, a := range []struct{ flag, addr string }{{"--grpc", c.GRPCAddr}, {"--http", c.HTTPAddr}, {"--ui", c.UIAddr}} {
		if a.addr == "" && a.flag != "--ui" {
			continue // disabled
		}
		if err := checkListenAddr(a.addr); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", a.flag, a.addr, err))
		}
	}
	if c.GRPCAddr == "" && c.HTTPAddr == "" {
		errs = append(errs, errors.New(`--grpc and --http are both "": enable at least one OTLP receiver`))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data: no data directory (and no per-user default: $XDG_DATA_HOME and $HOME are unset)"))
	}
	if c.MaxRequestBytes < bytesize.KiB || c.MaxRequestBytes > bytesize.GiB {
		errs = append(errs, fmt.Errorf("--max-request-bytes %s: must be between 1KiB and 1GiB", bytesize.Exact(c.MaxRequestBytes)))
	}
	if c.MaxInFlightItems < 1 {
		errs = append(errs, fmt.Errorf("--max-in-flight %d: must be at least 1 (spans and log records admitted and not yet stored)", c.MaxInFlightItems))
	}
	if c.MaxInFlightBytes < c.MaxRequestBytes || c.MaxInFlightBytes > bytesize.TiB {
		errs = append(errs, fmt.Errorf("--max-in-flight-bytes %s: must be at least --max-request-bytes (%s) and at most 1TiB",
			bytesize.Exact(c.MaxInFlightBytes), bytesize.Exact(c.MaxRequestBytes)))
	}
	if c.MaxConnections < 1 || c.MaxConnections > 1<<20 {
		errs = append(errs, fmt.Errorf("--max-connections %d: must be between 1 and 1048576 (OTLP connections open at once, both protocols)", c.MaxConnections))
	}
	for _, l := range []struct {
		flag string
		n    int
		what string
	}{
		{"--max-attributes", c.MaxAttributes, "attributes kept per span, event, link, resource, scope or log record"},
		{"--max-span-events", c.MaxEvents, "events kept per span"},
		{"--max-span-links", c.MaxLinks, "links kept per span"},
	} {
		if l.n < 1 || l.n > 1<<20 {
			errs = append(errs, fmt.Errorf("%s %d: must be between 1 and %d (%s)", l.flag, l.n, 1<<20, l.what))
		}
	}
	if c.MaxValueBytes < 1 || c.MaxValueBytes > 64*bytesize.MiB {
		errs = append(errs, fmt.Errorf("--max-value-bytes %s: must be between 1B and 64MiB (bytes kept of one string or bytes value)", bytesize.Exact(c.MaxValueBytes)))
	}
	if c.RetentionAge != 0 && c.RetentionAge < time.Minute {
		errs = append(errs, fmt.Errorf("--retention-age %v: must be 0 (keep forever) or at least 1m", c.RetentionAge))
	}
	if c.RetentionBytes != 0 && c.RetentionBytes < bytesize.MiB {
		errs = append(errs, fmt.Errorf("--retention-size %s: must be 0 (no cap) or at least 1MiB", bytesize.Exact(c.RetentionBytes)))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown timeout %v: must be more than 0", c.ShutdownTimeout))
	}
	if c.StatsInterval <= 0 {
		errs = append(errs, fmt.Errorf("stats interval %v: must be more than 0", c.StatsInterval))
	}
	errs = append(errs, c.validateForward()...)
	if c.Sampling != nil && c.ForwardURL == "" {
		errs = append(errs, errors.New(`config file key "sampling": needs --forward (traces are sampled as they are forwarded): set --forward, or remove the key`))
	}
	return errors.Join(errs...)
}

// checkListenAddr accepts host:port with an explicit host (0.0.0.0 or ::
// only when written) and a port in 0..65535.
func checkListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT, such as 127.0.0.1:4318 (0.0.0.0:4318 for every interface)")
	}
	if host == "" {
		return fmt.Errorf("the host is empty: write 127.0.0.1:%s for loopback, or 0.0.0.0:%s to listen on every interface", port, port)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("the port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// storeOptions are what the store keeps of each item, and for how long.
func (c Config) storeOptions() store.Options {
	return store.Options{
		RetentionAge: c.RetentionAge, RetentionBytes: c.RetentionBytes, Fsync: c.Fsync,
		MaxAttributes: c.MaxAttributes, MaxValueBytes: int(c.MaxValueBytes), MaxEvents: c.MaxEvents, MaxLinks: c.MaxLinks,
	}
}

// receiverConfig is the receivers' share of c.
func (c Config) receiverConfig() otlp.Config {
	return otlp.Config{
		GRPCAddr: c.GRPCAddr, HTTPAddr: c.HTTPAddr,
		MaxRequestBytes: c.MaxRequestBytes, MaxInFlightItems: c.MaxInFlightItems, MaxInFlightBytes: c.MaxInFlightBytes,
		MaxConnections: c.MaxConnections, RetryAfter: otlp.DefaultRetryAfter,
	}
}
