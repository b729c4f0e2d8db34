package sampling

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The policy types.
const (
	TypeError         = "error"
	TypeLatency       = "latency"
	TypeAttribute     = "attribute"
	TypeRateLimit     = "rate_limit"
	TypeProbabilistic = "probabilistic"
)

var types = []string{TypeError, TypeLatency, TypeAttribute, TypeRateLimit, TypeProbabilistic}

// Bounds of a Config.
const (
	// DefaultDecisionWait is how long after a trace's last span arrived it
	// is decided (when none of its spans is still open).
	DefaultDecisionWait = 10 * time.Second
	MinDecisionWait     = 100 * time.Millisecond
	MaxDecisionWait     = time.Hour
	// MaxPolicies bounds the policies of one Config; MaxValues the values
	// of one attribute policy.
	MaxPolicies = 64
	MaxValues   = 1024
	// MaxSpansPerSecond bounds a rate limit.
	MaxSpansPerSecond = 10_000_000
	// MaxConfigBytes bounds the JSON of a Config.
	MaxConfigBytes = 1 << 20
)

// Config is the "sampling" section of serve's config file:
//
//	{"decision_wait": "10s",
//	 "policies": [
//	   {"name": "errors", "type": "error"},
//	   {"name": "slow", "type": "latency", "threshold": "30s"},
//	   {"name": "bl12", "type": "attribute", "key": "beamline", "values": ["bl12"]},
//	   {"name": "cap", "type": "rate_limit", "spans_per_second": 2000},
//	   {"name": "rest", "type": "probabilistic", "percentage": 10}]}
type Config struct {
	// DecisionWait is how long after its last span arrived a trace without
	// open spans is decided; "" or 0 means DefaultDecisionWait. From
	// 100ms to 1h.
	DecisionWait Duration `json:"decision_wait"`
	// Policies are tried in order; see the package documentation.
	Policies []Policy `json:"policies"`
}

// Policy is one rule. Name is required and unique; which other fields
// apply depends on Type.
type Policy struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Threshold: latency.
	Threshold Duration `json:"threshold,omitempty"`
	// Key and Values: attribute.
	Key    string   `json:"key,omitempty"`
	Values []string `json:"values,omitempty"`
	// SpansPerSecond: rate_limit.
	SpansPerSecond float64 `json:"spans_per_second,omitempty"`
	// Percentage: probabilistic, from 0 to 100.
	Percentage *float64 `json:"percentage,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("10s").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"10s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as \"10s\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// Parse reads a Config from JSON (unknown fields are errors) and validates
// it. Errors name the field, the value and what is allowed.
func Parse(b []byte) (Config, error) {
	if len(b) > MaxConfigBytes {
		return Config{}, fmt.Errorf("sampling: %d bytes of configuration, at most %d allowed", len(b), MaxConfigBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("sampling: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("sampling: more than one JSON value")
	}
	return c, c.Validate()
}

// Validate reports every bad setting, one per line.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, allowed string) {
		errs = append(errs, fmt.Errorf("sampling: %s = %v: allowed %s", field, value, allowed))
	}
	if w := time.Duration(c.DecisionWait); w != 0 && (w < MinDecisionWait || w > MaxDecisionWait) {
		bad("decision_wait", w, fmt.Sprintf("from %v to %v", MinDecisionWait, MaxDecisionWait))
	}
	if len(c.Policies) > MaxPolicies {
		bad("policies", fmt.Sprintf("%d policies", len(c.Policies)), fmt.Sprintf("at most %d", MaxPolicies))
	}
	seen := map[string]bool{}
	for i, p := range c.Policies {
		at := fmt.Sprintf("policies[%d]", i)
		switch {
		case p.Name == "":
			bad(at+".name", `""`, "a name, unique among the policies")
		case seen[p.Name]:
			bad(at+".name", fmt.Sprintf("%q", p.Name), "a name, unique among the policies")
		default:
			seen[p.Name] = true
			at = fmt.Sprintf("policies[%d] (%s)", i, p.Name)
		}
		errs = append(errs, p.validate(at, bad)...)
	}
	return errors.Join(errs...)
}

func (p Policy) validate(at string, bad func(string, any, string)) []error {
	var errs []error
	extra := func(field string, set bool) {
		if set {
			errs = append(errs, fmt.Errorf("sampling: %s.%s: not a field of a %s policy", at, field, p.Type))
		}
	}
	switch p.Type {
	case TypeError:
	case TypeLatency:
		if p.Threshold <= 0 {
			bad(at+".threshold", time.Duration(p.Threshold), "a duration above 0, such as \"30s\"")
		}
	case TypeAttribute:
		if p.Key == "" {
			bad(at+".key", `""`, "an attribute key")
		}
		if len(p.Values) == 0 || len(p.Values) > MaxValues {
			bad(at+".values", fmt.Sprintf("%d values", len(p.Values)), fmt.Sprintf("1 to %d values", MaxValues))
		}
	case TypeRateLimit:
		if !(p.SpansPerSecond > 0 && p.SpansPerSecond <= MaxSpansPerSecond) {
			bad(at+".spans_per_second", p.SpansPerSecond, fmt.Sprintf("above 0, at most %d", MaxSpansPerSecond))
		}
	case TypeProbabilistic:
		if p.Percentage == nil || math.IsNaN(*p.Percentage) || *p.Percentage < 0 || *p.Percentage > 100 {
			v := "missing"
			if p.Percentage != nil {
				v = fmt.Sprint(*p.Percentage)
			}
			bad(at+".percentage", v, "a number from 0 to 100")
		}
	default:
		bad(at+".type", fmt.Sprintf("%q", p.Type), strings.Join(types, ", "))
		return errs
	}
	extra("threshold", p.Type != TypeLatency && p.Threshold != 0)
	extra("key", p.Type != TypeAttribute && p.Key != "")
	extra("values", p.Type != TypeAttribute && p.Values != nil)
	extra("spans_per_second", p.Type != TypeRateLimit && p.SpansPerSecond != 0)
	extra("percentage", p.Type != TypeProbabilistic && p.Percentage != nil)
	return errs
}

// wait is the decision wait with its default.
func (c Config) wait() time.Duration {
	if c.DecisionWait == 0 {
		return DefaultDecisionWait
	}
	return time.Duration(c.DecisionWait)
}
