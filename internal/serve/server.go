package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/netlimit"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/web"
	"github.com/sightline-dev/sightline/telemetry"
)

// uiMaxConnections bounds the connections to the query API and viewer open
// at once: a browser opens about six per host, a script one or two.
const uiMaxConnections = 256

// Addrs is what a started [Server] listens on and stores into.
type Addrs struct {
	// GRPC and HTTP are the OTLP receivers' host:port; "" for a disabled
	// receiver.
	GRPC, HTTP string
	// UI is the query API's and viewer's base URL: http://host:port.
	UI string
	// DataFile is the store's SQLite file.
	DataFile string
}

// Server is `sightline serve`: the OTLP receivers, the store they write
// into, the query API and viewer over it, the counters' lines and the
// server's own telemetry. Create it with [New], then [Server.Start] and
// [Server.Shutdown] it, or [Server.Run] it. Its methods are safe for
// concurrent use.
type Server struct {
	cfg     Config
	opts    options
	out     *output
	log     *slog.Logger
	started time.Time

	mu      sync.Mutex // held by Start and Shutdown
	state   lifecycle
	addrs   Addrs
	comp    *telemetry.Component
	st      *store.Store
	fwd     *forward.Forwarder // nil when not forwarding
	rcv     *otlp.Receiver
	http    *http.Server
	served  chan error // the UI server's Serve result
	failed  chan error // the UI server's error, if it stops on its own
	stats   *statsReporter
	stopErr error
}

type lifecycle int

const (
	stateNew lifecycle = iota
	stateStarted
	stateStopped
)

// New returns a server for cfg, which it validates; it starts nothing.
func New(cfg Config, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	o := options{out: io.Discard}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	s := &Server{cfg: cfg, opts: o, out: &output{w: o.out}, failed: make(chan error, 1)}
	s.log = slog.New(slog.NewTextHandler(s.out, nil))
	return s, nil
}

// Start sets up the server's telemetry, opens the store in the data
// directory, starts the receivers and the query API, and writes the
// addresses and the data file (see the package documentation). It returns
// an error, having undone what it started and written nothing, when a part
// cannot start: the data directory is held by another process, an address
// is in use, ... A server starts at most once.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateStarted:
		return errors.New("serve: start: already started")
	case stateStopped:
		return errors.New("serve: start: shut down")
	}
	s.started = time.Now()
	if err := s.start(ctx); err != nil {
		s.state = stateStopped
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, s.stop(stopCtx))
	}
	s.state = stateStarted
	s.out.line("otlp grpc %s", orOff(s.addrs.GRPC))
	s.out.line("otlp http %s", orOff(s.addrs.HTTP))
	s.out.line("ui %s", s.addrs.UI)
	if s.fwd != nil {
		s.out.line("%s", s.forwardLine())
		if s.cfg.Sampling != nil {
			s.out.line("%s", s.samplingLine())
		}
	}
	s.out.line("data %s", s.addrs.DataFile)
	return nil
}

func (s *Server) start(ctx context.Context) error {
	// Self-tracing, configured from the environment (off unless
	// SIGHTLINE_TELEMETRY_ENABLE=on). The receiver's spans are of the
	// kernel topic: recorded only when SIGHTLINE_TELEMETRY_TOPICS has it.
	comp, err := telemetry.Setup(ctx, append([]telemetry.Option{telemetry.WithServiceName("sightline-serve")}, s.opts.telemetry...)...)
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	s.comp = comp
	for _, p := range comp.Control().Status().Problems {
		s.out.line("telemetry settings: %v", p)
	}

	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	so := s.cfg.storeOptions()
	so.OnError = func(err error) { s.log.Warn("retention pass failed; the next one retries", "error", err) }
	if s.st, err = store.Open(ctx, s.cfg.DataDir, so); err != nil {
		return dataDirError(s.cfg.DataDir, err)
	}
	s.addrs.DataFile = filepath.Join(s.st.Dir(), store.FileName)

	var sink otlp.Sink = store.Sink{Store: s.st}
	if s.opts.wrapSink != nil {
		sink = s.opts.wrapSink(sink)
	}
	// Forwarding: each request is queued before it is stored.
	if err := s.startForward(ctx); err != nil {
		return err
	}
	if s.fwd != nil {
		sink = forwardSink{fwd: s.fwd, queueSize: s.cfg.ForwardQueueBytes, next: sink}
	}
	rcv, err := otlp.New(s.cfg.receiverConfig(), sink, otlp.WithLogger(s.log), otlp.WithTracerProvider(comp.TracerProvider()))
	if err != nil {
		return err
	}
	if err := rcv.Start(ctx); err != nil {
		return err // nothing to shut down
	}
	s.rcv = rcv
	s.addrs.GRPC, s.addrs.HTTP = s.rcv.Addrs()

	ln, err := net.Listen("tcp", s.cfg.UIAddr)
	if err != nil {
		return fmt.Errorf("--ui %s: %w", s.cfg.UIAddr, err)
	}
	s.addrs.UI = "http://" + ln.Addr().String()
	ln = netlimit.New(uiMaxConnections).Listen(ln)
	s.http = &http.Server{
		Handler:           viewerMux(web.NewAPI(s.st, s.apiStats, web.WithLogger(s.log))),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.served = make(chan error, 1)
	go func() {
		err := s.http.Serve(ln)
		s.served <- err
		if !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("ui server: %w", err)
		}
	}()
	s.stats = startStats(s.cfg.StatsInterval, s.started, s.rcv, s.st, s.fwd, s.out)
	return nil
}

// Addrs returns what the server listens on and stores into, once started;
// the zero Addrs before.
func (s *Server) Addrs() Addrs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs
}

// Wait blocks until ctx ends, returning nil, or a part of the started
// server stops serving on its own (the query API's listener fails),
// returning why. It does not stop the server: call Shutdown.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.failed:
		s.failed <- err // for later calls
		return err
	}
}

// Run starts the server, waits until ctx ends or a part fails, then shuts
// it down within Config.ShutdownTimeout. It returns nil after a stop asked
// for by ctx that stored everything admitted, else what went wrong.
func (s *Server) Run(ctx context.Context) error {
	err := s.Start(ctx)
	if err != nil {
		return err
	}
	err = s.Wait(ctx)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	return errors.Join(err, s.Shutdown(stopCtx))
}

// Shutdown stops a started server gracefully, writing "stopping" and then
// "stopped": the receivers stop accepting and store what they admitted,
// the query API stops, a last line reports the counters that grew since
// the previous one, the store commits its queue and closes, the forwarder
// stops (a send in flight may finish; what was not sent stays queued for
// the next start), and the server's telemetry flushes. When ctx ends first, what is left is closed
// at once and the error wraps ctx's. Later calls return the first call's
// result; a server never started stops at once with nil. No goroutine of
// the server is left when it returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateNew:
		s.state = stateStopped
		return nil
	case stateStopped:
		return s.stopErr
	}
	s.state = stateStopped
	s.out.line("stopping")
	s.stopErr = s.stop(ctx)
	s.out.line("stopped")
	return s.stopErr
}

// stop shuts down what start started, in order: the receivers stop
// accepting and finish storing what they admitted, the API server stops,
// the store commits its queue and closes, the forwarder stops, then
// telemetry flushes.
func (s *Server) stop(ctx context.Context) error {
	var errs []error
	if s.comp != nil && s.rcv != nil {
		// Spans still queued are exported while the receivers accept
		// them, in case the component exports to this very serve.
		flushCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = s.comp.ForceFlush(flushCtx) // best effort: Shutdown below retries
		cancel()
	}
	if s.rcv != nil {
		if err := s.rcv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop receivers: %w", err))
		}
	}
	if s.http != nil {
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop ui server: %w", err))
			_ = s.http.Close()
		}
		if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("ui server: %w", err))
		}
	}
	if s.stats != nil {
		s.stats.stop()
	}
	if s.st != nil {
		if err := s.st.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if s.fwd != nil {
		// Last: what it did not send stays queued for the next start.
		if err := s.fwd.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop forwarder: %w", err))
		}
	}
	if s.comp != nil {
		if err := s.comp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("telemetry shutdown: %w", err))
		}
	}
	return errors.Join(errs...)
}

// dataDirError explains why the store in dir could not be opened.
func dataDirError(dir string, err error) error {
	if store.InUse(dir) {
		return fmt.Errorf("data directory %s is in use by another sightline process (a running serve, or an import --data): stop it or use another --data: %w", dir, err)
	}
	return fmt.Errorf("data directory %s: %w", dir, err)
}

// viewerMux serves the query API under /api/ (Tempo's routes among them),
// Jaeger's query API under /jaeger/ and the viewer's pages at the rest of
// the UI address.
func viewerMux(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/jaeger/", api)
	mux.Handle("/", web.NewUI())
	return mux
}
