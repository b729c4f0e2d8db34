package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// inflightView is what `ctl COMPONENT inflight` prints.
type inflightView struct {
	Component string                   `json:"component"`
	InFlight  telemetry.InFlightStatus `json:"inflight"`
}

// ctlInFlight handles "inflight [auto | on | off] [threshold DURATION]
// [interval DURATION]": with no argument it shows the settings and
// counters; otherwise it changes what is given (all checked by the server
// before any changes) and shows the result.
func ctlInFlight(ctx context.Context, c *admin.Client, comp string, rest []string, call []admin.CallOption) (any, error) {
	var set telemetry.InFlightSettings
	for i := 0; i < len(rest); i++ {
		switch word := rest[i]; word {
		case "auto", "on", "off":
			if set.Mode != "" {
				return nil, usageErr("inflight takes one mode (auto, on or off)")
			}
			set.Mode = telemetry.InFlightMode(word)
		case "threshold", "interval":
			if i+1 == len(rest) {
				return nil, usageErr("inflight %s needs a DURATION, such as 2s", word)
			}
			i++
			parse := telemetry.ParseInFlightThreshold
			dst := &set.Threshold
			if word == "interval" {
				parse, dst = telemetry.ParseInFlightInterval, &set.Interval
			}
			d, err := parse(rest[i])
			if err != nil {
				return nil, usageErr("inflight %s %q: %v", word, rest[i], err)
			}
			*dst = d
		default:
			return nil, usageErr("inflight takes auto, on, off, threshold DURATION or interval DURATION, not %q", word)
		}
	}
	if len(rest) > 0 {
		if err := c.SetInFlight(ctx, comp, set, call...); err != nil {
			return nil, err
		}
	}
	st, err := c.InFlight(ctx, comp)
	return inflightView{Component: comp, InFlight: st}, err
}

// printInFlight prints the in-flight settings, counters and endpoints.
func printInFlight(w io.Writer, comp string, s telemetry.InFlightStatus) {
	fmt.Fprintf(w, "%s: in-flight %s, threshold %v, interval %v\n", comp, s.Settings.Mode, s.Settings.Threshold, s.Settings.Interval)
	printInFlightCounters(w, s)
	for _, e := range s.Endpoints {
		state := e.State
		if !e.Active {
			state += " (removed, draining)"
		}
		fmt.Fprintf(w, "announcing to %s: %s, exported %d, failed %d, dropped %d", e.Endpoint, state, e.Exported, e.Failed, e.Dropped)
		if e.LastError != "" {
			fmt.Fprintf(w, ", last error %s", e.LastError)
		}
		fmt.Fprintln(w)
	}
	if len(s.Endpoints) == 0 {
		fmt.Fprintln(w, "announcing to no endpoint (in-flight off, telemetry not started, or no endpoint that carries logs)")
	}
}

// printInFlightCounters prints the announcer's counters on one line.
func printInFlightCounters(w io.Writer, s telemetry.InFlightStatus) {
	parts := []string{
		fmt.Sprintf("watched %d", s.Watched), fmt.Sprintf("open %d", s.Open),
		fmt.Sprintf("heartbeats %d", s.Heartbeats), fmt.Sprintf("stops %d", s.Stops),
		fmt.Sprintf("exported %d", s.Exported), fmt.Sprintf("failed %d", s.Failed), fmt.Sprintf("dropped %d", s.Dropped),
	}
	for _, extra := range []struct {
		name string
		n    uint64
	}{{"overflow", s.Overflow}, {"deferred", s.Deferred}, {"trimmed", s.Trimmed}} {
		if extra.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", extra.name, extra.n))
		}
	}
	fmt.Fprintf(w, "in-flight spans: %s\n", strings.Join(parts, ", "))
}
