package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
)

// DefaultUIAddr is where serve answers the query API (and later the viewer).
const DefaultUIAddr = "127.0.0.1:8760"

// serveConfig is what `sightline serve` runs with: its flags, validated.
type serveConfig struct {
	grpcAddr, httpAddr string // "" disables
	uiAddr             string
	dataDir            string
	maxRequestBytes    int64
	maxInFlight        int
	maxInFlightBytes   int64 // at least maxRequestBytes
	maxConnections     int
	// What the store keeps of one item (store.Options).
	maxAttributes, maxEvents, maxLinks int
	maxValueBytes                      int64
	retentionAge                       time.Duration // 0 keeps data forever
	retentionBytes                     int64         // 0: no cap
	fsync                              bool
	// shutdownTimeout bounds the graceful stop: receivers, API, store.
	shutdownTimeout time.Duration
	// statsInterval is how often a line reports the counters that grew.
	statsInterval time.Duration
}

// defaultServeConfig returns the defaults of the flags; dataDir is "" when
// no per-user data directory can be found (then --data is required).
func defaultServeConfig() serveConfig {
	so := store.DefaultOptions()
	dir, _ := defaultDataDir()
	return serveConfig{
		grpcAddr: otlp.DefaultGRPCAddr, httpAddr: otlp.DefaultHTTPAddr, uiAddr: DefaultUIAddr,
		dataDir: dir, maxRequestBytes: otlp.DefaultMaxRequestBytes,
		maxInFlight: otlp.DefaultMaxInFlightItems, maxInFlightBytes: otlp.DefaultMaxInFlightBytes,
		maxConnections: otlp.DefaultMaxConnections,
		maxAttributes:  so.MaxAttributes, maxValueBytes: int64(so.MaxValueBytes), maxEvents: so.MaxEvents, maxLinks: so.MaxLinks,
		retentionAge: so.RetentionAge, retentionBytes: so.RetentionBytes,
		shutdownTimeout: 15 * time.Second, statsInterval: time.Minute,
	}
}

// defaultDataDir is $XDG_DATA_HOME/sightline, else ~/.local/share/sightline.
func defaultDataDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "sightline"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no per-user data directory (set --data, $XDG_DATA_HOME or $HOME): %w", err)
	}
	return filepath.Join(home, ".local", "share", "sightline"), nil
}

// validate reports every invalid setting, each naming its flag.
func (c serveConfig) validate() error {
	var errs []error
	for _, a := range []struct{ flag, addr string }{{"--grpc", c.grpcAddr}, {"--http", c.httpAddr}, {"--ui", c.uiAddr}} {
		if a.addr == "" && a.flag != "--ui" {
			continue // disabled
		}
		if err := checkListenAddr(a.addr); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", a.flag, a.addr, err))
		}
	}
	if c.grpcAddr == "" && c.httpAddr == "" {
		errs = append(errs, errors.New(`--grpc and --http are both "": enable at least one OTLP receiver`))
	}
	if c.dataDir == "" {
		errs = append(errs, errors.New("--data: no data directory (and no per-user default: $XDG_DATA_HOME and $HOME are unset)"))
	}
	const maxRequest = 1 << 30
	if c.maxRequestBytes < 1024 || c.maxRequestBytes > maxRequest {
		errs = append(errs, fmt.Errorf("--max-request-bytes %s: must be between 1KiB and 1GiB", formatBytes(c.maxRequestBytes)))
	}
	if c.maxInFlight < 1 {
		errs = append(errs, fmt.Errorf("--max-in-flight %d: must be at least 1 (spans and log records admitted and not yet stored)", c.maxInFlight))
	}
	const maxInFlightBytes = 1 << 40
	if c.maxInFlightBytes < c.maxRequestBytes || c.maxInFlightBytes > maxInFlightBytes {
		errs = append(errs, fmt.Errorf("--max-in-flight-bytes %s: must be at least --max-request-bytes (%s) and at most 1TiB", formatBytes(c.maxInFlightBytes), formatBytes(c.maxRequestBytes)))
	}
	if c.maxConnections < 1 || c.maxConnections > 1<<20 {
		errs = append(errs, fmt.Errorf("--max-connections %d: must be between 1 and 1048576 (OTLP connections open at once, both protocols)", c.maxConnections))
	}
	for _, l := range []struct {
		flag string
		n    int
		max  int
		what string
	}{
		{"--max-attributes", c.maxAttributes, 1 << 20, "attributes kept per span, event, link, resource, scope or log record"},
		{"--max-span-events", c.maxEvents, 1 << 20, "events kept per span"},
		{"--max-span-links", c.maxLinks, 1 << 20, "links kept per span"},
	} {
		if l.n < 1 || l.n > l.max {
			errs = append(errs, fmt.Errorf("%s %d: must be between 1 and %d (%s)", l.flag, l.n, l.max, l.what))
		}
	}
	if c.maxValueBytes < 1 || c.maxValueBytes > 64<<20 {
		errs = append(errs, fmt.Errorf("--max-value-bytes %s: must be between 1B and 64MiB (bytes kept of one string or bytes value)", formatBytes(c.maxValueBytes)))
	}
	if c.retentionAge != 0 && c.retentionAge < time.Minute {
		errs = append(errs, fmt.Errorf("--retention-age %v: must be 0 (keep forever) or at least 1m", c.retentionAge))
	}
	if c.retentionBytes != 0 && c.retentionBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("--retention-size %s: must be 0 (no cap) or at least 1MiB", formatBytes(c.retentionBytes)))
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

// byteSize is a flag of a size in bytes: 1048576, 16MiB, 1GiB, 500MB.
type byteSize struct{ n *int64 }

var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"b", 1},
}

func (b byteSize) String() string {
	if b.n == nil {
		return ""
	}
	return formatBytes(*b.n)
}

func (b byteSize) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	*b.n = n
	return nil
}

// parseBytes parses a size: an integer (bytes) or a number with a unit,
// binary (KiB, MiB, GiB, TiB) or decimal (kB, MB, GB, TB), any case.
func parseBytes(s string) (int64, error) {
	num, mult := strings.TrimSpace(s), 1.0
	lower := strings.ToLower(num)
	for _, u := range byteUnits {
		if strings.HasSuffix(lower, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || f*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size: want bytes or a number with a unit, such as 16MiB, 1GiB or 500MB", s)
	}
	return int64(f * mult), nil
}

// formatBytes prints n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// ageFlag is a flag of a duration that also accepts days: 7d, 1.5d, 168h.
type ageFlag struct{ d *time.Duration }

func (a ageFlag) String() string {
	if a.d == nil {
		return ""
	}
	if *a.d != 0 && *a.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*a.d/(24*time.Hour)), 10) + "d"
	}
	return a.d.String()
}

func (a ageFlag) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	*a.d = d
	return nil
}

// parseAge parses a Go duration or a number of days ("7d").
func parseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration: want a Go duration (168h, 90m) or days (7d), 0 to keep data forever", s)
	if days, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		f, err := strconv.ParseFloat(days, 64)
		if err != nil || f < 0 || f*24 > float64(math.MaxInt64/int64(time.Hour)) {
			return 0, bad
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}
