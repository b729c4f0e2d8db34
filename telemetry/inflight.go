package telemetry

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InFlightMode says which tracing endpoints get in-flight announcements:
// a recording, sampled span still open after the threshold is announced
// to them (a heartbeat log record carrying the span as it is now), then
// again every interval until it ends, then once more when it ends (docs/api.md
// has the wire format).
type InFlightMode string

// The in-flight modes.
const (
	// InFlightAuto announces to http and grpc endpoints and to registered
	// exporters that carry logs (sightlinetest's memory), not to console
	// and file. The default.
	InFlightAuto InFlightMode = "auto"
	// InFlightOn announces to every endpoint whose exporter carries logs,
	// console and file included (console prints the records; file appends
	// them to the traces file).
	InFlightOn InFlightMode = "on"
	// InFlightOff announces nothing.
	InFlightOff InFlightMode = "off"
)

const allowedInFlightModes = "auto, on, off"

// ParseInFlightMode reads auto, on or off (on and off also in the boolean
// spellings: true, 1, yes, ...).
func ParseInFlightMode(s string) (InFlightMode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == string(InFlightAuto) {
		return InFlightAuto, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return "", badValue(allowedInFlightModes, "unknown in-flight mode %q", s)
	}
	if b {
		return InFlightOn, nil
	}
	return InFlightOff, nil
}

// orAuto is m, or auto when empty.
func (m InFlightMode) orAuto() InFlightMode { return cmp.Or(m, InFlightAuto) }

// Defaults and bounds of the in-flight durations.
const (
	// DefaultInFlightThreshold is how long a span is open before it is
	// first announced.
	DefaultInFlightThreshold = time.Second
	// DefaultInFlightInterval is the time between two announcements of
	// a span that stays open.
	DefaultInFlightInterval = 10 * time.Second

	minInFlightThreshold = 10 * time.Millisecond
	maxInFlightThreshold = time.Hour
	minInFlightInterval  = 100 * time.Millisecond
	maxInFlightInterval  = time.Hour
)

// InFlightSettings are a component's in-flight announcing settings. In
// JSON the durations are Go duration strings ("1s", "10s").
type InFlightSettings struct {
	// Mode says which endpoints get announcements; "" means auto.
	Mode InFlightMode
	// Threshold is how long a span is open before it is first announced.
	// Allowed 10 ms to 1 h; zero means DefaultInFlightThreshold (1 s).
	Threshold time.Duration
	// Interval is the time between announcements of a span that stays
	// open, sent as partial.frequency. Allowed 100 ms to 1 h; zero means
	// DefaultInFlightInterval (10 s).
	Interval time.Duration
}

type inFlightJSON struct {
	Mode      InFlightMode `json:"mode"`
	Threshold string       `json:"threshold"`
	Interval  string       `json:"interval"`
}

// MarshalJSON writes {"mode":"auto","threshold":"1s","interval":"10s"}.
func (s InFlightSettings) MarshalJSON() ([]byte, error) {
	return json.Marshal(inFlightJSON{Mode: s.Mode, Threshold: s.Threshold.String(), Interval: s.Interval.String()})
}

// UnmarshalJSON reads what MarshalJSON writes; a missing field stays zero.
func (s *InFlightSettings) UnmarshalJSON(b []byte) error {
	var j inFlightJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("in-flight settings: %w", err)
	}
	out := InFlightSettings{Mode: j.Mode}
	for _, f := range []struct {
		text string
		dst  *time.Duration
	}{{j.Threshold, &out.Threshold}, {j.Interval, &out.Interval}} {
		if f.text == "" {
			continue
		}
		d, err := time.ParseDuration(f.text)
		if err != nil {
			return fmt.Errorf("in-flight settings: %w", err)
		}
		*f.dst = d
	}
	*s = out
	return nil
}

// inFlight is cfg's in-flight settings with the defaults filled in.
func (c Config) inFlight() InFlightSettings {
	return InFlightSettings{Mode: c.InFlight.orAuto(), Threshold: cmp.Or(c.InFlightThreshold, DefaultInFlightThreshold),
		Interval: cmp.Or(c.InFlightInterval, DefaultInFlightInterval)}
}

// durationsAllowed describes the values of a bounded duration setting.
func durationsAllowed(lo, hi time.Duration) string {
	return fmt.Sprintf("a duration from %s to %s, such as 1s or 500ms (a whole number is milliseconds)",
		shortDuration(lo), shortDuration(hi))
}

// shortDuration writes d without zero trailing units: 1h, not 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// parseBoundedDuration reads a Go duration or a whole number of
// milliseconds within [lo, hi].
func parseBoundedDuration(s string, lo, hi time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		ms, nerr := strconv.ParseInt(s, 10, 64)
		if nerr != nil || ms > hi.Milliseconds() || ms < 0 {
			return 0, badValue(durationsAllowed(lo, hi), "not a duration within bounds: %q", s)
		}
		d = time.Duration(ms) * time.Millisecond
	}
	if d < lo || d > hi {
		return 0, badValue(durationsAllowed(lo, hi), "duration %v out of range", d)
	}
	return d, nil
}

// checkBoundedDuration refuses d outside [lo, hi]; zero (the default)
// passes.
func checkBoundedDuration(d, lo, hi time.Duration) error {
	if d == 0 || d >= lo && d <= hi {
		return nil
	}
	return badValue(durationsAllowed(lo, hi), "duration %v out of range", d)
}

// ParseInFlightThreshold reads a threshold: a Go duration (1s) or a whole
// number of milliseconds, from 10 ms to 1 h.
func ParseInFlightThreshold(s string) (time.Duration, error) {
	return parseBoundedDuration(s, minInFlightThreshold, maxInFlightThreshold)
}

// ParseInFlightInterval reads an interval: a Go duration (10s) or a whole
// number of milliseconds, from 100 ms to 1 h.
func ParseInFlightInterval(s string) (time.Duration, error) {
	return parseBoundedDuration(s, minInFlightInterval, maxInFlightInterval)
}

// validate checks the settings as Config.Validate does; zero fields pass.
func (s InFlightSettings) validate() error {
	if s.Mode != "" && s.Mode != InFlightAuto && s.Mode != InFlightOn && s.Mode != InFlightOff {
		return badValue(allowedInFlightModes, "unknown in-flight mode %q", string(s.Mode))
	}
	if err := checkBoundedDuration(s.Threshold, minInFlightThreshold, maxInFlightThreshold); err != nil {
		return err
	}
	return checkBoundedDuration(s.Interval, minInFlightInterval, maxInFlightInterval)
}

// The environment variables of in-flight announcing.
const (
	envInFlight          = "SIGHTLINE_TELEMETRY_INFLIGHT"
	envInFlightThreshold = "SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD"
	envInFlightInterval  = "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL"
)

// readInFlight reads the in-flight variables.
func (r *envReader) readInFlight() {
	if v, ok := r.get(envInFlight); ok {
		if m, err := ParseInFlightMode(v); err != nil {
			r.bad(envInFlight, v, err, "the default auto")
		} else {
			r.cfg.InFlight = m
			r.set(KeyInFlight, envInFlight)
		}
	}
	for _, d := range []struct {
		variable, key string
		parse         func(string) (time.Duration, error)
		dst           *time.Duration
		def           time.Duration
	}{
		{envInFlightThreshold, KeyInFlightThreshold, ParseInFlightThreshold, &r.cfg.InFlightThreshold, DefaultInFlightThreshold},
		{envInFlightInterval, KeyInFlightInterval, ParseInFlightInterval, &r.cfg.InFlightInterval, DefaultInFlightInterval},
	} {
		v, ok := r.get(d.variable)
		if !ok {
			continue
		}
		if got, err := d.parse(v); err != nil {
			r.bad(d.variable, v, err, "the default "+d.def.String())
		} else {
			*d.dst = got
			r.set(d.key, d.variable)
		}
	}
}

// applyInFlightProperties overlays the in-flight properties on cfg.
func applyInFlightProperties(cfg *Config, props map[string][]string, bad func(string, error), set func(string, string)) {
	one := func(prop string) (string, bool) {
		v, ok := props[prop]
		if !ok {
			return "", false
		}
		items := flatten(v)
		if len(items) != 1 {
			bad(prop, badValue("one value", "want exactly one value, got %d", len(items)))
			return "", false
		}
		return items[0], true
	}
	if v, ok := one(PropInFlight); ok {
		if m, err := ParseInFlightMode(v); err != nil {
			bad(PropInFlight, err)
		} else {
			cfg.InFlight = m
			set(KeyInFlight, PropInFlight)
		}
	}
	if v, ok := one(PropInFlightThreshold); ok {
		if d, err := ParseInFlightThreshold(v); err != nil {
			bad(PropInFlightThreshold, err)
		} else {
			cfg.InFlightThreshold = d
			set(KeyInFlightThreshold, PropInFlightThreshold)
		}
	}
	if v, ok := one(PropInFlightInterval); ok {
		if d, err := ParseInFlightInterval(v); err != nil {
			bad(PropInFlightInterval, err)
		} else {
			cfg.InFlightInterval = d
			set(KeyInFlightInterval, PropInFlightInterval)
		}
	}
}
