package serve

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/sampling"
)

// ForwardDirName is the forward queue's directory in the data directory.
const ForwardDirName = "forward"

// forwardConfig is the forwarder's share of c: the queue in
// <DataDir>/forward, with --fsync's durability.
func (c Config) forwardConfig() forward.Config {
	fc := forward.DefaultConfig()
	fc.Dir = filepath.Join(c.DataDir, ForwardDirName)
	fc.URL, fc.Headers, fc.CAFile = c.ForwardURL, c.ForwardHeaders, c.ForwardCAFile
	fc.Compression, fc.Timeout = c.ForwardCompression, c.ForwardTimeout
	fc.MaxBytes, fc.WhenFull, fc.Fsync = c.ForwardQueueBytes, c.ForwardWhenFull, c.Fsync
	fc.Sampling = c.Sampling
	return fc
}

// forwardFlags name the flags of the forwarder's Config fields, for its
// errors.
var forwardFlags = []struct{ field, flag string }{
	{"Config.URL", "--forward"},
	{"Config.CAFile", "--forward-ca"},
	{"Config.Compression", "--forward-compression"},
	{"Config.Timeout", "--forward-timeout"},
	{"Config.MaxBytes", "--forward-queue-size"},
	{"Config.WhenFull", "--forward-when-full"},
	{"Config.Sampling", `config file key "sampling"`},
}

// validateForward checks the Forward fields when forwarding is on, naming
// flags: the forwarder's own checks (which never quote a header value),
// and that every request the receivers accept can be queued.
func (c Config) validateForward() []error {
	if c.ForwardURL == "" {
		return nil
	}
	var errs []error
	if err := c.forwardConfig().Validate(); err != nil {
		all := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			all = j.Unwrap()
		}
		for _, e := range all {
			errs = append(errs, errors.New(flagNamed(e.Error())))
		}
	}
	if c.MaxRequestBytes > forward.MaxRecordBytes {
		errs = append(errs, fmt.Errorf("--max-request-bytes %s: with --forward, at most %s (the largest request the forward queue holds)",
			bytesize.Exact(c.MaxRequestBytes), bytesize.Exact(forward.MaxRecordBytes)))
	} else if c.ForwardQueueBytes >= forward.MinMaxBytes && c.ForwardQueueBytes < 2*c.MaxRequestBytes {
		errs = append(errs, fmt.Errorf("--forward-queue-size %s: must be at least twice --max-request-bytes (%s), so that any request received can be queued",
			bytesize.Exact(c.ForwardQueueBytes), bytesize.Exact(c.MaxRequestBytes)))
	}
	return errs
}

// flagNamed rewrites a forwarder error that names a Config field
// ("Config.MaxBytes 1MiB: ...") to name its flag ("--forward-queue-size
// 1MiB: ...").
func flagNamed(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "Config.Headers["); ok {
		if key, err := strconv.QuotedPrefix(rest); err == nil {
			return "--forward-header " + key + strings.TrimPrefix(rest[len(key):], "]")
		}
	}
	for _, f := range forwardFlags {
		if rest, ok := strings.CutPrefix(msg, f.field); ok && (rest == "" || rest[0] == ' ' || rest[0] == ':') {
			return f.flag + rest
		}
	}
	return "--forward: " + msg
}

// forwardSink queues each request for forwarding, then stores it: the
// receiver acknowledges a request only once both are done, so nothing
// acknowledged is missing from the queue. If storing fails after queuing,
// the sender retries and the upstream may get the request twice (at
// least once); never the reverse.
type forwardSink struct {
	fwd       *forward.Forwarder
	queueSize int64 // --forward-queue-size, for the refusal's message
	next      otlp.Sink
}

func (s forwardSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	if err := s.queued(s.fwd.AppendTraces(td)); err != nil {
		return 0, "", err
	}
	return s.next.AppendTraces(ctx, td)
}

func (s forwardSink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	if err := s.queued(s.fwd.AppendLogs(ld)); err != nil {
		return 0, "", err
	}
	return s.next.AppendLogs(ctx, ld)
}

// queued turns an append's error into the sink's: a full queue (block) is
// otlp.ErrForwardQueueFull, which the receivers answer 429 /
// RESOURCE_EXHAUSTED with a retry delay; anything else is a failure to
// retry (503 / UNAVAILABLE).
func (s forwardSink) queued(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, forward.ErrFull):
		st := s.fwd.Stats()
		return fmt.Errorf("%w: %s queued for %s, %s (--forward-queue-size %s, --forward-when-full block)",
			otlp.ErrForwardQueueFull, bytesize.Human(st.QueueBytes), st.Upstream, upstreamState(st), bytesize.Exact(s.queueSize))
	case errors.Is(err, forward.ErrClosed):
		return errors.New("forward queue closed: serve is stopping")
	default:
		return fmt.Errorf("forward queue %s: %w", s.fwd.Stats().Upstream, err)
	}
}

// upstreamState says why the queue is not draining: "which cannot be
// reached; the oldest was queued 2m0s ago", or "which does not keep up;
// ...".
func upstreamState(st forward.Stats) string {
	lag := "; the oldest was queued " + st.Lag.Round(time.Second).String() + " ago"
	if !st.Connected {
		return "which cannot be reached" + lag
	}
	return "which does not keep up" + lag
}

// ForwardStats is the "forward" object of GET /api/stats: the forwarder's
// counters and state (forward.Stats, inline) and its settings.
type ForwardStats struct {
	forward.Stats
	// Settings are what serve forwards with; header values are left out.
	Settings ForwardSettings `json:"settings"`
}

// ForwardSettings are the forwarding settings, as /api/stats shows them.
type ForwardSettings struct {
	// URL is the upstream without userinfo.
	URL string `json:"url"`
	// HeaderNames are the names of the headers sent (sorted); their
	// values are never shown.
	HeaderNames []string `json:"header_names"`
	CAFile      string   `json:"ca_file"`
	Compression string   `json:"compression"`
	// TimeoutNanos bounds one request upstream, in nanoseconds.
	TimeoutNanos int64 `json:"timeout_ns"`
	// QueueDir is the queue's directory, and MaxBytes (in Stats) its
	// bound.
	QueueDir string `json:"queue_dir"`
	WhenFull string `json:"when_full"`
	Fsync    bool   `json:"fsync"`
}

// forwardStats is the "forward" object of /api/stats: nil when forwarding
// is off.
func (s *Server) forwardStats() *ForwardStats {
	if s.fwd == nil {
		return nil
	}
	st := s.fwd.Stats()
	names := make([]string, 0, len(s.cfg.ForwardHeaders))
	for k := range s.cfg.ForwardHeaders {
		names = append(names, strings.ToLower(k))
	}
	slices.Sort(names)
	return &ForwardStats{Stats: st, Settings: ForwardSettings{
		URL: st.Upstream, HeaderNames: names, CAFile: s.cfg.ForwardCAFile, Compression: s.cfg.ForwardCompression,
		TimeoutNanos: int64(s.cfg.ForwardTimeout), QueueDir: filepath.Join(s.st.Dir(), ForwardDirName),
		WhenFull: string(s.cfg.ForwardWhenFull), Fsync: s.cfg.Fsync,
	}}
}

// startForward opens the forward queue in the data directory and starts
// forwarding; a nil forwarder when forwarding is off.
func (s *Server) startForward(ctx context.Context) error {
	if s.cfg.ForwardURL == "" {
		return nil
	}
	fc := s.cfg.forwardConfig()
	fc.Dir = filepath.Join(s.st.Dir(), ForwardDirName)
	f, err := forward.New(fc)
	if err != nil {
		return fmt.Errorf("--forward: queue %s: %w", fc.Dir, err)
	}
	if err := f.Start(ctx); err != nil {
		_ = f.Shutdown(context.WithoutCancel(ctx))
		return fmt.Errorf("--forward: %w", err)
	}
	s.fwd = f
	return nil
}

// forwardLine is the start line's text: "forward grpc://gw:4317 (queue
// 2GiB at /data/forward, when full: block)".
func (s *Server) forwardLine() string {
	return fmt.Sprintf("forward %s (queue %s at %s, when full: %s)", s.fwd.Stats().Upstream,
		bytesize.Exact(s.cfg.ForwardQueueBytes), filepath.Join(s.st.Dir(), ForwardDirName), s.cfg.ForwardWhenFull)
}

// samplingLine is the start line's text when sampling: "sampling: 3
// policies, decision wait 10s".
func (s *Server) samplingLine() string {
	wait := time.Duration(s.cfg.Sampling.DecisionWait)
	if wait == 0 {
		wait = sampling.DefaultDecisionWait
	}
	return fmt.Sprintf("sampling: %d policies, decision wait %v", len(s.cfg.Sampling.Policies), wait)
}
