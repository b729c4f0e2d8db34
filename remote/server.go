package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// Server hosts devices: it answers the device routes of the remote protocol
// and the telemetry admin routes (one component per device, plus the server
// itself as dserver/<name>) on one address.
type Server struct {
	name  string
	opts  serverOptions
	admin *admin.Handler
	self  *hosted // the admin device dserver/<name>
	ops   *operations
	mux   *http.ServeMux

	mu      sync.RWMutex
	devices map[string]*hosted
	closed  atomic.Bool
}

// ServerOption configures NewServer.
type ServerOption func(*serverOptions)

type serverOptions struct {
	store     *properties.Store
	getenv    telemetry.Getenv
	namespace string
	telemetry []telemetry.Option
	token     string
	log       *slog.Logger
}

// WithPropertyStore reads each device's stored telemetry properties when the
// device starts, and persists admin changes made with ?persist=1.
func WithPropertyStore(s *properties.Store) ServerOption {
	return func(o *serverOptions) { o.store = s }
}

// WithEnv reads the environment (telemetry variables, SIGHTLINE_ADMIN_TOKEN)
// through getenv instead of os.LookupEnv.
func WithEnv(getenv telemetry.Getenv) ServerOption {
	return func(o *serverOptions) { o.getenv = getenv }
}

// WithNamespace sets service.namespace of every component (default
// telemetry.DefaultNamespace).
func WithNamespace(ns string) ServerOption { return func(o *serverOptions) { o.namespace = ns } }

// WithTelemetryOptions adds options to every component the server sets up.
func WithTelemetryOptions(opts ...telemetry.Option) ServerOption {
	return func(o *serverOptions) { o.telemetry = append(o.telemetry, opts...) }
}

// WithAdminToken sets the bearer token telemetry changes need (at least
// admin.MinTokenLength characters; default SIGHTLINE_ADMIN_TOKEN). Without
// one the server generates a token and publishes it, while it serves, in
// the token file of the user's runtime directory (admin.Handler.Publish),
// where proxies on this host read it. Serving on an address other hosts can
// reach needs a configured token.
func WithAdminToken(token string) ServerOption { return func(o *serverOptions) { o.token = token } }

// WithLogger sets where the server logs what it does (default: the server
// component's logger).
func WithLogger(l *slog.Logger) ServerOption { return func(o *serverOptions) { o.log = l } }

var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$`)

// NewServer makes a device server named name ("Class/instance", as Tango
// names its servers, e.g. "SimServer/demo"). Its own component and admin
// device is dserver/<name>. Stop it with Close.
func NewServer(ctx context.Context, name string, opts ...ServerOption) (*Server, error) {
	if !serverNameRE.MatchString(name) {
		return nil, fmt.Errorf("server name %q: want Class/instance, each of letters, digits, '_', '.' or '-'", name)
	}
	s := &Server{name: name, ops: newOperations(), devices: map[string]*hosted{}}
	for _, o := range opts {
		o(&s.opts)
	}
	hopts := []admin.Option{}
	if s.opts.getenv != nil {
		hopts = append(hopts, admin.WithEnv(s.opts.getenv))
	}
	if s.opts.token != "" {
		hopts = append(hopts, admin.WithToken(s.opts.token))
	}
	if s.opts.store != nil {
		hopts = append(hopts, admin.WithPersister(s.opts.store))
	}
	h, err := admin.NewHandler(hopts...)
	if err != nil {
		return nil, fmt.Errorf("device server %s: %w", name, err)
	}
	s.admin = h
	self := s.adminDevice()
	s.self = &hosted{dev: self, srv: s}
	if err := s.self.start(ctx); err != nil {
		return nil, err
	}
	if s.opts.log == nil {
		s.opts.log = s.self.run.Load().comp.Logger()
	}
	s.mux = http.NewServeMux()
	s.routes()
	s.mux.Handle(admin.PathPrefix+"/", h)
	return s, nil
}

// Name is the server's name.
func (s *Server) Name() string { return s.name }

// AdminDevice is the name of the server's own device, dserver/<name>.
func (s *Server) AdminDevice() string { return "dserver/" + s.name }

// Add starts dev on the server: its stored properties are read, its
// telemetry component is set up (service.name = its class, or
// Device.SetServiceName; service.instance.id = its name), and its admin
// routes and device routes answer. It reports the device's declaration
// mistakes, a bad name and a name already in use. A telemetry configuration
// problem is reported too (as telemetry.Setup does) with the device running
// on the fallback settings.
func (s *Server) Add(ctx context.Context, dev *Device) error {
	if err := CheckName(dev.name); err != nil {
		return err
	}
	if len(dev.problems) > 0 {
		return errors.Join(dev.problems...)
	}
	if strings.HasPrefix(dev.name, "dserver/") {
		return fmt.Errorf("device name %q: the dserver domain is the servers' own", dev.name)
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return fmt.Errorf("add device %s: server %s is closed", dev.name, s.name)
	}
	if s.devices[dev.name] != nil {
		s.mu.Unlock()
		return fmt.Errorf("add device %s: a device of that name is already on server %s", dev.name, s.name)
	}
	h := &hosted{dev: dev, srv: s}
	s.devices[dev.name] = h
	s.mu.Unlock()
	return h.start(ctx)
}

// Devices lists the names of the devices on the server, sorted.
func (s *Server) Devices() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.devices))
	for n := range s.devices {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (s *Server) lookup(name string) *hosted {
	if name == s.AdminDevice() {
		return s.self
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.devices[name]
}

func (s *Server) device(name string) (*hosted, error) {
	h := s.lookup(name)
	if h == nil {
		return nil, fmt.Errorf("%w: %q is not on server %s (devices: %s)", ErrUnknownDevice, name, s.name, strings.Join(s.Devices(), ", "))
	}
	return h, nil
}

// StopDevice stops a device: its calls get ErrNotRunning, its pending
// operations are cancelled, its telemetry is flushed and shut down and its
// admin routes go away.
func (s *Server) StopDevice(ctx context.Context, name string) error {
	h, err := s.device(name)
	if err != nil {
		return err
	}
	if h == s.self {
		return fmt.Errorf("stop device %s: the server's own device cannot be stopped (close the server)", name)
	}
	return h.stop(ctx, "device stopped")
}

// StartDevice starts a stopped device again, reading its properties anew.
func (s *Server) StartDevice(ctx context.Context, name string) error {
	h, err := s.device(name)
	if err != nil {
		return err
	}
	return h.start(ctx)
}

// RestartDevice stops and starts a device: runtime telemetry changes are
// gone and its stored properties apply again (Tango's DevRestart).
func (s *Server) RestartDevice(ctx context.Context, name string) error {
	if err := s.StopDevice(ctx, name); err != nil {
		return err
	}
	return s.StartDevice(ctx, name)
}

// Handler answers the device and admin routes.
func (s *Server) Handler() http.Handler { return s.mux }

// Serve answers on ln until ctx ends, then shuts the HTTP server down
// gracefully (in-flight calls finish, up to admin.ShutdownTimeout). It
// returns nil after a shutdown caused by ctx. Devices keep running: Close
// stops them. Without a configured admin token (WithAdminToken,
// SIGHTLINE_ADMIN_TOKEN) it refuses, and closes, a listener other hosts can
// reach. While it serves, the admin token is published in the token file
// for ln's port (admin.Handler.Publish), removed when Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, nil)
}

// serve is Serve, calling ready once the token file is published.
func (s *Server) serve(ctx context.Context, ln net.Listener, ready func(net.Addr)) (err error) {
	if err := s.admin.CheckListener(ln.Addr()); err != nil {
		_ = ln.Close()
		return fmt.Errorf("device server %s: %w", s.name, err)
	}
	if _, err := s.admin.Publish(ln.Addr()); err != nil {
		_ = ln.Close()
		return fmt.Errorf("device server %s: %w", s.name, err)
	}
	defer func() {
		if uerr := s.admin.Unpublish(ln.Addr()); uerr != nil {
			err = errors.Join(err, fmt.Errorf("device server %s: %w", s.name, uerr))
		}
	}()
	hs := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext: withConnGoroutine}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), admin.ShutdownTimeout)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				_ = hs.Close()
			}
		case <-done:
		}
	}()
	if ready != nil {
		ready(ln.Addr())
	}
	err = hs.Serve(ln)
	close(done)
	<-stopped
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("device server %s on %s: %w", s.name, ln.Addr(), err)
}

// ListenAndServe listens on addr ("127.0.0.1:0" picks a free port) and
// serves until ctx ends, like Serve. ready, if not nil, gets the address
// listened on once the admin token file is published. Without a configured
// admin token an address other hosts can reach is refused before listening.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	if err := admin.CheckAddress(addr, s.admin.TokenConfigured()); err != nil {
		return fmt.Errorf("device server %s: %w", s.name, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("device server %s: listen on %q: %w", s.name, addr, err)
	}
	return s.serve(ctx, ln, ready)
}

// Close stops every device (cancelling their pending operations and
// flushing their telemetry) and then the server's own component.
func (s *Server) Close(ctx context.Context) error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.mu.RLock()
	hs := make([]*hosted, 0, len(s.devices))
	for _, h := range s.devices {
		hs = append(hs, h)
	}
	s.mu.RUnlock()
	var errs []error
	for _, h := range hs {
		errs = append(errs, h.stop(ctx, "server closing"))
	}
	s.ops.cancelAll("server closing")
	errs = append(errs, s.self.stop(ctx, "server closing"))
	return errors.Join(errs...)
}
