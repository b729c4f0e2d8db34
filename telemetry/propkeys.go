package telemetry

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// Property keys, the names Tango device properties use. Each value is a
// list of strings; an item may itself be a comma list.
const (
	PropEnable           = "telemetry_enable"
	PropTopics           = "telemetry_topics"
	PropTypes            = "telemetry_types"
	PropTracingExporters = "telemetry_tracing_exporters"
	PropTracingEndpoints = "telemetry_tracing_endpoints"
	PropLoggingExporters = "telemetry_logging_exporters"
	PropLoggingEndpoints = "telemetry_logging_endpoints"
	PropSampler          = "telemetry_sampler"
	// The in-flight settings: auto, on or off; a threshold and an interval
	// as Go durations (1s) or whole milliseconds.
	PropInFlight          = "telemetry_inflight"
	PropInFlightThreshold = "telemetry_inflight_threshold"
	PropInFlightInterval  = "telemetry_inflight_interval"
)

// PropertyKeys lists the telemetry property keys.
var PropertyKeys = []string{PropEnable, PropTopics, PropTypes, PropTracingExporters, PropTracingEndpoints,
	PropLoggingExporters, PropLoggingEndpoints, PropSampler, PropInFlight, PropInFlightThreshold, PropInFlightInterval}

// flatten joins a property's items and splits them on commas.
func flatten(v []string) []string {
	var out []string
	for _, item := range v {
		out = append(out, splitList(item)...)
	}
	return out
}

// applyProperties overlays stored properties on cfg. A bad property is
// reported and ignored (the value from below stays).
func applyProperties(cfg Config, src Sources, props map[string][]string, ps *problems) (Config, Sources) {
	cfg, src = cfg.clone(), src.clone()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "telemetry_") && !slices.Contains(PropertyKeys, k) {
			ps.add(Problem{Setting: "property " + k, Value: strings.Join(props[k], ","),
				Reason: "unknown telemetry property", Allowed: strings.Join(PropertyKeys, ", "), Using: "nothing (ignored)"})
		}
	}
	bad := func(key string, err error) {
		ps.add(problemFor("property "+key, strings.Join(props[key], ","), err, "the value from the environment"))
	}
	set := func(settingKey, prop string) { src[settingKey] = Origin{Source: SourceProperty, Name: prop} }

	if v, ok := props[PropEnable]; ok {
		items := flatten(v)
		if len(items) != 1 {
			bad(PropEnable, badValue("one of on, off, true, false", "want exactly one value, got %d", len(items)))
		} else if b, err := parseBool(items[0]); err != nil {
			bad(PropEnable, err)
		} else {
			cfg.Enabled = b
			set(KeyEnable, PropEnable)
		}
	}
	if v, ok := props[PropTopics]; ok {
		if t, err := ParseTopics(flatten(v)); err != nil {
			bad(PropTopics, err)
		} else {
			cfg.Topics = t
			set(KeyTopics, PropTopics)
		}
	}
	if v, ok := props[PropTypes]; ok {
		if tr, lg, err := parseTypes(flatten(v)); err != nil {
			bad(PropTypes, err)
		} else {
			cfg.Tracing, cfg.Logging = tr, lg
			set(KeyTypes, PropTypes)
		}
	}
	if v, ok := props[PropSampler]; ok {
		items := flatten(v)
		if len(items) != 1 {
			bad(PropSampler, badValue(allowedSamplers, "want exactly one value, got %d", len(items)))
		} else if s, err := ParseSampler(items[0]); err != nil {
			bad(PropSampler, err)
		} else {
			cfg.Sampler = s
			set(KeySampler, PropSampler)
		}
	}
	applyInFlightProperties(&cfg, props, bad, set)
	for _, p := range []struct {
		sig            Signal
		key            string
		expKey, urlKey string
		eps            *[]Endpoint
	}{
		{SignalTraces, KeyTracingEndpoints, PropTracingExporters, PropTracingEndpoints, &cfg.TracingEndpoints},
		{SignalLogs, KeyLoggingEndpoints, PropLoggingExporters, PropLoggingEndpoints, &cfg.LoggingEndpoints},
	} {
		exps, hasExp := props[p.expKey]
		urls, hasURL := props[p.urlKey]
		if !hasExp && !hasURL {
			continue
		}
		names := flatten(exps)
		var addrs []string
		if hasURL {
			addrs = flatten(urls)
		}
		if !hasExp { // endpoints alone pair with the exporters already configured
			for _, e := range *p.eps {
				names = append(names, e.Exporter)
			}
		}
		eps, key, err := pairEndpoints(p.sig, names, addrs, p.expKey, p.urlKey)
		if err != nil {
			bad(key, err)
			continue
		}
		*p.eps = eps
		var from []string
		if hasExp {
			from = append(from, p.expKey)
		}
		if hasURL {
			from = append(from, p.urlKey)
		}
		set(p.key, strings.Join(from, ","))
	}
	return cfg, src
}

// pairEndpoints pairs exporter names with URLs by position (missing URLs
// take the exporter's default) and returns which key was wrong on error.
func pairEndpoints(sig Signal, names, urls []string, namesKey, urlsKey string) ([]Endpoint, string, error) {
	if len(names) == 0 {
		return nil, namesKey, badValue(allowedExporters(), "no exporters")
	}
	if len(urls) > len(names) {
		return nil, urlsKey, badValue("at most one endpoint per exporter",
			"%d endpoints for %d exporters (%s)", len(urls), len(names), strings.Join(names, ","))
	}
	eps := make([]Endpoint, 0, len(names))
	for i, n := range names {
		u := ""
		if i < len(urls) {
			u = urls[i]
		}
		ep, err := ParseEndpoint(sig, n, u)
		if err != nil {
			if !knownExporter(n) {
				return nil, namesKey, err
			}
			return nil, urlsKey, err
		}
		eps = append(eps, ep)
	}
	if err := checkNoneAlone(eps); err != nil {
		return nil, namesKey, err
	}
	return eps, "", nil
}

// CheckProperties reports every bad telemetry property in props as a
// *ConfigError (nil when all are good), as Setup would: for tools that store
// properties and want to refuse bad values before a component starts with
// them. Free-form keys are not checked.
//
// Endpoints given without their exporters key pair at start with the
// exporters the component already has (from the environment), which are not
// known here: they are checked only as far as a list can be without them.
func CheckProperties(props map[string][]string) error {
	props = maps.Clone(props)
	for _, pair := range [][2]string{{PropTracingExporters, PropTracingEndpoints}, {PropLoggingExporters, PropLoggingEndpoints}} {
		if _, hasExp := props[pair[0]]; !hasExp {
			delete(props, pair[1])
		}
	}
	var ps problems
	applyProperties(DefaultConfig(), defaultSources(), props, &ps)
	return ps.err()
}
