package sampling

import (
	"math"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// MaxServices bounds the rate limits' buckets: past it, further services
// share one bucket.
const MaxServices = 10_000

// Summary is what the policies need of a trace, built span by span with
// [Decider.Add] while the trace's spans arrive; the spans themselves are
// kept elsewhere. The zero Summary is an empty trace.
type Summary struct {
	ID          pcommon.TraceID
	TraceState  string // the root span's W3C tracestate, once seen
	RootService string // the root span's service, else the first span's
	Spans       int
	Start, End  pcommon.Timestamp
	Error       bool
	rootSeen    bool
	matched     []bool // by policy: an attribute policy matched
}

// Duration is the trace's earliest start to its latest end.
func (s *Summary) Duration() time.Duration {
	if s.End <= s.Start {
		return 0
	}
	return time.Duration(s.End - s.Start)
}

// Decision is a Decider's answer for one trace.
type Decision struct {
	Keep bool
	// Policy is the name of the policy that decided; "" when none did
	// (kept by default).
	Policy string
}

// PolicyStats counts one policy's decisions since the Decider was made.
type PolicyStats struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	KeptTraces    int64  `json:"kept_traces"`
	KeptSpans     int64  `json:"kept_spans"`
	DroppedTraces int64  `json:"dropped_traces"`
	DroppedSpans  int64  `json:"dropped_spans"`
}

// Decider applies a Config's policies. Its methods are safe for
// concurrent use.
type Decider struct {
	cfg        Config
	thresholds []uint64 // probabilistic policies' rejection thresholds, by policy
	values     []map[string]bool

	mu      sync.Mutex
	buckets []map[string]*bucket // rate_limit policies', by policy
	stats   []PolicyStats        // by policy, then the default
}

// New makes a Decider of a valid Config (see [Config.Validate]).
func New(cfg Config) (*Decider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Decider{cfg: cfg, thresholds: make([]uint64, len(cfg.Policies)), values: make([]map[string]bool, len(cfg.Policies)),
		buckets: make([]map[string]*bucket, len(cfg.Policies)), stats: make([]PolicyStats, len(cfg.Policies)+1)}
	for i, p := range cfg.Policies {
		d.stats[i] = PolicyStats{Name: p.Name, Type: p.Type}
		switch p.Type {
		case TypeProbabilistic:
			d.thresholds[i] = Threshold(*p.Percentage / 100)
		case TypeAttribute:
			d.values[i] = map[string]bool{}
			for _, v := range p.Values {
				d.values[i][v] = true
			}
		case TypeRateLimit:
			d.buckets[i] = map[string]*bucket{}
		}
	}
	d.stats[len(cfg.Policies)] = PolicyStats{Name: "", Type: "default"}
	return d, nil
}

// DecisionWait is the Config's decision wait, its default filled in.
func (d *Decider) DecisionWait() time.Duration { return d.cfg.wait() }

// Add takes one span of the trace into s.
func (d *Decider) Add(s *Summary, res pcommon.Resource, sp ptrace.Span) {
	if s.Spans == 0 {
		s.ID, s.Start, s.End = sp.TraceID(), sp.StartTimestamp(), sp.EndTimestamp()
		s.matched = make([]bool, len(d.cfg.Policies))
	}
	s.Spans++
	s.Start, s.End = min(s.Start, sp.StartTimestamp()), max(s.End, sp.EndTimestamp())
	if sp.Status().Code() == ptrace.StatusCodeError {
		s.Error = true
	}
	svc := ""
	if v, ok := res.Attributes().Get("service.name"); ok {
		svc = v.AsString()
	}
	if sp.ParentSpanID().IsEmpty() && !s.rootSeen {
		s.rootSeen, s.RootService, s.TraceState = true, svc, sp.TraceState().AsRaw()
	} else if !s.rootSeen && s.RootService == "" {
		s.RootService = svc
	}
	for i, p := range d.cfg.Policies {
		if p.Type != TypeAttribute || s.matched[i] {
			continue
		}
		for _, m := range []pcommon.Map{sp.Attributes(), res.Attributes()} {
			if v, ok := m.Get(p.Key); ok && d.values[i][v.AsString()] {
				s.matched[i] = true
				break
			}
		}
	}
}

// Decide applies the policies to a complete trace at time now.
func (d *Decider) Decide(s *Summary, now time.Time) Decision {
	d.mu.Lock()
	defer d.mu.Unlock()
	var take []*bucket // rate limits passed: charged if the trace is kept
	decide := func(i int, keep bool) Decision {
		st := &d.stats[i]
		if keep {
			st.KeptTraces++
			st.KeptSpans += int64(s.Spans)
			for _, b := range take {
				b.tokens -= float64(s.Spans)
			}
		} else {
			st.DroppedTraces++
			st.DroppedSpans += int64(s.Spans)
		}
		return Decision{Keep: keep, Policy: st.Name}
	}
	for i, p := range d.cfg.Policies {
		switch p.Type {
		case TypeError:
			if s.Error {
				return decide(i, true)
			}
		case TypeLatency:
			if s.Duration() >= time.Duration(p.Threshold) {
				return decide(i, true)
			}
		case TypeAttribute:
			if i < len(s.matched) && s.matched[i] {
				return decide(i, true)
			}
		case TypeRateLimit:
			b := d.bucket(i, s.RootService, p.SpansPerSecond, now)
			if b.tokens <= 0 {
				return decide(i, false)
			}
			take = append(take, b)
		case TypeProbabilistic:
			return decide(i, Randomness(s.ID, s.TraceState) >= d.thresholds[i])
		}
	}
	return decide(len(d.cfg.Policies), true)
}

// Stats returns each policy's counters, in order, then the default's.
func (d *Decider) Stats() []PolicyStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]PolicyStats(nil), d.stats...)
}

// bucket is a token bucket of spans: it refills at rate per second up to
// rate (a burst of one second) and may go below zero (a large trace kept
// is repaid before the next passes).
type bucket struct {
	tokens float64
	at     time.Time
}

// bucket returns policy i's bucket of service, refilled to now. d.mu held.
func (d *Decider) bucket(i int, service string, rate float64, now time.Time) *bucket {
	m := d.buckets[i]
	b := m[service]
	if b == nil {
		if len(m) >= MaxServices {
			service = "\x00other"
			b = m[service]
		}
		if b == nil {
			b = &bucket{tokens: rate, at: now}
			m[service] = b
		}
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = math.Min(rate, b.tokens+el*rate)
		b.at = now
	}
	return b
}
