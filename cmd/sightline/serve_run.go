package main

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

	"github.com/sightline-dev/sightline/internal/netlimit"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/web"
	"github.com/sightline-dev/sightline/telemetry"
)

// serveHooks let tests reach into serve.
type serveHooks struct {
	wrapSink  func(otlp.Sink) otlp.Sink // wraps the store's sink (to slow it down)
	ready     func(serveAddrs)          // called once everything listens
	telemetry []telemetry.Option        // added to telemetry.Setup's options
}

type serveHook func(*serveHooks)

// serveAddrs is what serve listens on and stores into; "" for a disabled
// receiver.
type serveAddrs struct {
	grpc, http string // host:port
	ui         string // http://host:port
	dataFile   string
}

// serve runs `sightline serve` until ctx ends, then stops gracefully
// within cfg.shutdownTimeout. It prints the addresses and the data file on
// out, then a line each cfg.statsInterval in which a counter grew.
func serve(ctx context.Context, cfg serveConfig, out io.Writer, hooks ...serveHook) error {
	var h serveHooks
	for _, hook := range hooks {
		hook(&h)
	}
	s := &server{cfg: cfg, out: &syncWriter{w: out}, started: time.Now()}
	s.log = slog.New(slog.NewTextHandler(s.out, nil))
	err := s.start(ctx, h)
	if err == nil {
		serveLine(s.out, "otlp grpc %s", orOff(s.addrs.grpc))
		serveLine(s.out, "otlp http %s", orOff(s.addrs.http))
		serveLine(s.out, "ui %s", s.addrs.ui)
		serveLine(s.out, "data %s", s.addrs.dataFile)
		if h.ready != nil {
			h.ready(s.addrs)
		}
		err = s.wait(ctx)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	return errors.Join(err, s.stop(stopCtx))
}

// server is a running serve; stop undoes whatever start got to.
type server struct {
	cfg     serveConfig
	out     *syncWriter
	log     *slog.Logger
	started time.Time
	addrs   serveAddrs

	comp      *telemetry.Component
	st        *store.Store
	rcv       *otlp.Receiver
	http      *http.Server
	served    chan error // the API server's Serve result
	statsStop chan struct{}
	statsDone chan struct{}
}

func (s *server) start(ctx context.Context, h serveHooks) error {
	// Self-tracing, configured from the environment (off unless
	// SIGHTLINE_TELEMETRY_ENABLE=on). The receiver's spans are of the
	// kernel topic: recorded only when SIGHTLINE_TELEMETRY_TOPICS has it.
	comp, err := telemetry.Setup(ctx, append([]telemetry.Option{telemetry.WithServiceName("sightline-serve")}, h.telemetry...)...)
	if comp == nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	s.comp = comp
	if err != nil {
		serveLine(s.out, "telemetry settings: %v (each bad setting keeps its default)", err)
	}

	if err := os.MkdirAll(s.cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	s.st, err = store.Open(ctx, s.cfg.dataDir, store.Options{
		RetentionAge: s.cfg.retentionAge, RetentionBytes: s.cfg.retentionBytes, Fsync: s.cfg.fsync,
		MaxAttributes: s.cfg.maxAttributes, MaxValueBytes: int(s.cfg.maxValueBytes),
		MaxEvents: s.cfg.maxEvents, MaxLinks: s.cfg.maxLinks,
		OnError: func(err error) { s.log.Warn("retention pass failed; the next one retries", "error", err) },
	})
	if err != nil {
		return dataDirError(s.cfg.dataDir, err)
	}
	s.addrs.dataFile = filepath.Join(s.st.Dir(), store.FileName)

	var sink otlp.Sink = storeSink{s.st}
	if h.wrapSink != nil {
		sink = h.wrapSink(sink)
	}
	s.rcv, err = otlp.New(otlp.Config{
		GRPCAddr: s.cfg.grpcAddr, HTTPAddr: s.cfg.httpAddr,
		MaxRequestBytes: s.cfg.maxRequestBytes, MaxInFlightItems: s.cfg.maxInFlight, MaxInFlightBytes: s.cfg.maxInFlightBytes,
		MaxConnections: s.cfg.maxConnections, RetryAfter: otlp.DefaultRetryAfter,
	}, sink, otlp.WithLogger(s.log), otlp.WithTracerProvider(comp.TracerProvider()))
	if err != nil {
		return err
	}
	if err := s.rcv.Start(ctx); err != nil {
		s.rcv = nil // nothing to shut down
		return err
	}
	s.addrs.grpc, s.addrs.http = s.rcv.Addrs()

	ln, err := net.Listen("tcp", s.cfg.uiAddr)
	if err != nil {
		return fmt.Errorf("--ui %s: %w", s.cfg.uiAddr, err)
	}
	s.addrs.ui = "http://" + ln.Addr().String()
	ln = netlimit.New(uiMaxConnections).Listen(ln)
	s.http = &http.Server{
		Handler:           viewerMux(web.NewAPI(s.st, s.stats, web.WithLogger(s.log))),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.served = make(chan error, 1)
	go func() { s.served <- s.http.Serve(ln) }()

	s.statsStop, s.statsDone = make(chan struct{}), make(chan struct{})
	go s.reportStats()
	return nil
}

// wait returns when ctx ends (nil) or the API server fails.
func (s *server) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		serveLine(s.out, "stopping")
		return nil
	case err := <-s.served:
		s.served <- err // for stop
		return fmt.Errorf("ui server: %w", err)
	}
}

// stop shuts down what start started, in order: the receivers stop
// accepting and finish storing what they admitted, the API server stops,
// the store commits its queue and closes, then telemetry flushes.
func (s *server) stop(ctx context.Context) error {
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
	if s.statsStop != nil {
		close(s.statsStop)
		<-s.statsDone
	}
	if s.st != nil {
		if err := s.st.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if s.comp != nil {
		if err := s.comp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("telemetry shutdown: %w", err))
		}
	}
	if s.addrs.ui != "" {
		serveLine(s.out, "stopped")
	}
	return errors.Join(errs...)
}

// uiMaxConnections bounds the connections to the query API and viewer open
// at once: a browser opens about six per host, a script one or two.
const uiMaxConnections = 256

// serveStats is what GET /api/stats answers.
type serveStats struct {
	Receiver        otlp.Stats   `json:"receiver"`
	Store           *store.Stats `json:"store,omitempty"`
	StoreError      string       `json:"store_error,omitempty"`
	DataFile        string       `json:"data_file"`
	StartedUnixNano int64        `json:"started_unix_nano"`
}

func (s *server) stats() any {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out := serveStats{Receiver: s.rcv.Stats(), DataFile: s.addrs.dataFile, StartedUnixNano: s.started.UnixNano()}
	if st, err := s.st.Stats(ctx); err != nil {
		out.StoreError = err.Error()
	} else {
		out.Store = &st
	}
	return out
}

// dataDirError explains why the store in dir could not be opened.
func dataDirError(dir string, err error) error {
	if dirLocked(dir) {
		return fmt.Errorf("data directory %s is in use by another sightline process (a running serve, or an import --data): stop it or use another --data: %w", dir, err)
	}
	return fmt.Errorf("data directory %s: %w", dir, err)
}

func orOff(addr string) string {
	if addr == "" {
		return "off"
	}
	return addr
}

// syncWriter serializes writes from serve's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// viewerMux serves the query API under /api/ and the viewer's pages at the
// rest of the UI address.
func viewerMux(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/", web.NewUI())
	return mux
}
