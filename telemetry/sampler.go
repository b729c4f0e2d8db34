package telemetry

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Sampler names, as OTEL_TRACES_SAMPLER spells them.
const (
	SamplerAlwaysOn                = "always_on"
	SamplerAlwaysOff               = "always_off"
	SamplerTraceIDRatio            = "traceidratio"
	SamplerParentBasedAlwaysOn     = "parentbased_always_on"
	SamplerParentBasedAlwaysOff    = "parentbased_always_off"
	SamplerParentBasedTraceIDRatio = "parentbased_traceidratio"
)

var samplerNames = []string{SamplerAlwaysOn, SamplerAlwaysOff, SamplerTraceIDRatio,
	SamplerParentBasedAlwaysOn, SamplerParentBasedAlwaysOff, SamplerParentBasedTraceIDRatio}

const allowedSamplers = "a ratio in [0,1], or always_on, always_off, traceidratio, parentbased_always_on, " +
	"parentbased_always_off, parentbased_traceidratio, optionally followed by :RATIO for the ratio ones"

// Sampler is a sampling policy: a name and, for the ratio samplers, the
// fraction of new traces kept.
type Sampler struct {
	Name  string  `json:"name"`
	Ratio float64 `json:"ratio"`
}

// RatioSampler keeps a fraction of new traces and follows the parent's
// decision otherwise (parentbased_traceidratio).
func RatioSampler(ratio float64) Sampler {
	return Sampler{Name: SamplerParentBasedTraceIDRatio, Ratio: ratio}
}

func (s Sampler) String() string {
	if strings.HasSuffix(s.Name, "traceidratio") {
		return s.Name + ":" + strconv.FormatFloat(s.Ratio, 'g', -1, 64)
	}
	return s.Name
}

func (s Sampler) validate() error {
	found := false
	for _, n := range samplerNames {
		found = found || s.Name == n
	}
	if !found {
		return badValue(allowedSamplers, "unknown sampler %q", s.Name)
	}
	return checkRatio(s.Ratio)
}

func checkRatio(r float64) error {
	if math.IsNaN(r) || r < 0 || r > 1 {
		return badValue("a number from 0 to 1", "ratio %v is outside [0,1]", r)
	}
	return nil
}

// ParseSampler reads SIGHTLINE_TELEMETRY_SAMPLER's form: a bare ratio
// ("0.25", meaning parentbased_traceidratio:0.25), a sampler name, or a ratio
// sampler's name with ":RATIO".
func ParseSampler(s string) (Sampler, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if r, err := strconv.ParseFloat(s, 64); err == nil {
		if err := checkRatio(r); err != nil {
			return Sampler{}, err
		}
		return RatioSampler(r), nil
	}
	name, arg, hasArg := strings.Cut(s, ":")
	if !hasArg {
		arg = ""
	}
	return parseNamedSampler(name, arg, "the :RATIO part")
}

// parseNamedSampler builds a sampler from a name and its argument (the
// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG pair). An empty argument
// gives a ratio of 1.
func parseNamedSampler(name, arg, argWhere string) (Sampler, error) {
	sm := Sampler{Name: name, Ratio: 1}
	if err := sm.validate(); err != nil {
		return Sampler{}, err
	}
	if arg == "" {
		return sm, nil
	}
	if !strings.HasSuffix(name, "traceidratio") {
		return Sampler{}, badValue("no argument for "+name, "sampler %s takes no ratio, but %s is %q", name, argWhere, arg)
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(arg), 64)
	if err != nil {
		return Sampler{}, badValue("a number from 0 to 1", "ratio %q is not a number", arg)
	}
	if err := checkRatio(r); err != nil {
		return Sampler{}, err
	}
	sm.Ratio = r
	return sm, nil
}

// sdkSampler builds the SDK sampler for s (s must be valid).
func (s Sampler) sdkSampler() sdktrace.Sampler {
	switch s.Name {
	case SamplerAlwaysOn:
		return sdktrace.AlwaysSample()
	case SamplerAlwaysOff:
		return sdktrace.NeverSample()
	case SamplerTraceIDRatio:
		return sdktrace.TraceIDRatioBased(s.Ratio)
	case SamplerParentBasedAlwaysOff:
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case SamplerParentBasedTraceIDRatio:
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(s.Ratio))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// samplerHolder is the one sampler every pipeline generation of a component
// uses; SetSampler swaps what it delegates to without a new pipeline.
type samplerHolder struct {
	current atomic.Pointer[samplerBox]
}

type samplerBox struct {
	cfg Sampler
	s   sdktrace.Sampler
}

func newSamplerHolder(s Sampler) *samplerHolder {
	h := &samplerHolder{}
	h.set(s)
	return h
}

func (h *samplerHolder) set(s Sampler) { h.current.Store(&samplerBox{cfg: s, s: s.sdkSampler()}) }

func (h *samplerHolder) get() Sampler { return h.current.Load().cfg }

func (h *samplerHolder) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	return h.current.Load().s.ShouldSample(p)
}

func (h *samplerHolder) Description() string {
	return "sightline(" + h.current.Load().s.Description() + ")"
}
