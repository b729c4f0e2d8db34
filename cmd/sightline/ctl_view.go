package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
)

// The views are what ctl prints: JSON as they are with --json, otherwise
// through printHuman.
type (
	componentList []string
	enabledView   struct {
		Component string `json:"component"`
		Enabled   bool   `json:"enabled"`
	}
	topicsView struct {
		Component string   `json:"component"`
		Topics    []string `json:"topics"`
	}
	samplerView struct {
		Component string            `json:"component"`
		Sampler   telemetry.Sampler `json:"sampler"`
	}
	signalView struct {
		Component string `json:"component"`
		Signal    string `json:"signal"`
		Enabled   bool   `json:"enabled"`
	}
	endpointsView struct {
		Component string               `json:"component"`
		Signal    string               `json:"signal"`
		Endpoints []telemetry.Endpoint `json:"endpoints"`
	}
	statusView  telemetry.Status
	propsView   map[string][]string
	propsListVw []string
)

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func printHuman(w io.Writer, v any) {
	switch v := v.(type) {
	case componentList:
		for _, n := range v {
			fmt.Fprintln(w, n)
		}
	case enabledView:
		fmt.Fprintf(w, "%s: telemetry %s\n", v.Component, onOff(v.Enabled))
	case topicsView:
		fmt.Fprintf(w, "%s: topics %s\n", v.Component, strings.Join(v.Topics, ","))
	case samplerView:
		fmt.Fprintf(w, "%s: sampler %s\n", v.Component, v.Sampler)
	case signalView:
		fmt.Fprintf(w, "%s: %s %s\n", v.Component, v.Signal, onOff(v.Enabled))
	case endpointsView:
		for _, e := range v.Endpoints {
			fmt.Fprintln(w, e)
		}
	case statusView:
		printStatus(w, telemetry.Status(v))
	case inflightView:
		printInFlight(w, v.Component, v.InFlight)
	case propsView:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s = %s\n", k, strings.Join(v[k], ","))
		}
	case propsListVw:
		for _, n := range v {
			fmt.Fprintln(w, n)
		}
	case nil:
	default:
		fmt.Fprintf(w, "%v\n", v)
	}
}

// printStatus prints a component's status as tables: state, settings with
// their sources, configuration problems, endpoints with health and counters.
func printStatus(w io.Writer, s telemetry.Status) {
	fmt.Fprintf(w, "component %s: telemetry %s, tracing %s, logging %s, topics %s, sampler %s\n",
		s.Component, onOff(s.Enabled), onOff(s.Tracing), onOff(s.Logging), strings.Join(s.Topics, ","), s.Sampler)
	fmt.Fprintf(w, "spans: started %d, ended %d, exported %d, failed %d, dropped %d, lost %d; logs: emitted %d, exported %d, failed %d, dropped %d",
		s.Spans.Started, s.Spans.Ended, s.Spans.Exported, s.Spans.Failed, s.Spans.Dropped, s.Spans.Lost,
		s.Logs.Emitted, s.Logs.Exported, s.Logs.Failed, s.Logs.Dropped)
	if s.DrainingPipelines > 0 {
		fmt.Fprintf(w, "; %d pipelines draining", s.DrainingPipelines)
	}
	fmt.Fprintln(w)
	printInFlightCounters(w, s.InFlight)
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
	for _, st := range s.Settings {
		src := string(st.Origin.Source)
		if st.Origin.Name != "" {
			src += " " + st.Origin.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", st.Key, orDash(st.Value), src)
	}
	_ = tw.Flush()
	for _, p := range s.Problems {
		fmt.Fprintf(w, "problem: %s\n", p.Error())
	}
	if len(s.Endpoints) == 0 {
		fmt.Fprintln(w, "\nno endpoint pipelines (telemetry has not been started, or the endpoints are none)")
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SIGNAL\tENDPOINT\tPROCESSOR\tSTATE\tQUEUED\tEXPORTED\tFAILED\tDROPPED\tPENDING\tLAST ERROR")
	for _, e := range s.Endpoints {
		printEndpointRow(tw, e, "")
	}
	for _, e := range s.InFlight.Endpoints {
		printEndpointRow(tw, e, " (in-flight)")
	}
	_ = tw.Flush()
}

// printEndpointRow prints one endpoint of printStatus's table; suffix
// follows the signal.
func printEndpointRow(tw io.Writer, e telemetry.EndpointStatus, suffix string) {
	state := e.State
	if e.FailingSince != nil {
		state += " since " + e.FailingSince.Format(time.TimeOnly)
	}
	if !e.Active {
		state += " (removed, draining)"
	}
	fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", e.Signal, suffix, e.Endpoint, e.Processor, state,
		e.Queued, e.Exported, e.Failed, e.Dropped, e.Pending, orDash(e.LastError))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
