package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// Server hosts devices: it answers the device routes of the remote protocol
// and the telemetry admin routes (one component per device, plus the server
// itself as dserver/<name>) on one address.
type Server struct {
	name  string
	opts  options
	admin *admin.Handler
	self  *hosted // the admin device dserver/<name>
	ops   *operations
	mux   *http.ServeMux

	mu      sync.RWMutex
	devices map[string]*hosted
	closed  atomic.Bool
}

var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$`)

// New makes a device server named name ("Class/instance", as Tango names
// its servers, e.g. "SimServer/demo"). Its own component and admin device
// is dserver/<name>. Stop it with Shutdown.
func New(ctx context.Context, name string, opts ...Option) (*Server, error) {
	if !serverNameRE.MatchString(name) {
		return nil, fmt.Errorf("server name %q: want Class/instance, each of letters, digits, '_', '.' or '-'", name)
	}
	s := &Server{name: name, ops: newOperations(), devices: map[string]*hosted{}}
	for _, o := range opts {
		if o != nil {
			o.applyServer(&s.opts)
		}
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
	s.mux = http.NewServeMux()
	s.routes()
	// The component list is the prefix itself: without its own pattern the
	// mux would redirect it to PathPrefix+"/", a route the admin API has not.
	s.mux.Handle(admin.PathPrefix, h)
	s.mux.Handle(admin.PathPrefix+"/", h)
	return s, nil
}

// Name is the server's name.
func (s *Server) Name() string { return s.name }

// AdminDevice is the name of the server's own device, dserver/<name>.
func (s *Server) AdminDevice() string { return "dserver/" + s.name }

// Add starts dev on the server: its stored properties are read, its
// telemetry component is set up (service.name = its class, or
// WithServiceName; service.instance.id = its name), and its admin routes
// and device routes answer. It reports the device's declaration mistakes,
// a bad name and a name already in use. A telemetry configuration problem
// does not stop the device: it runs on the settings used instead, and the
// problem shows in its telemetry status (admin routes) and the
// diagnostics log.
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
		return fmt.Errorf("add device %s: server %s is shut down", dev.name, s.name)
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
		return nil, fmt.Errorf("%w: %q is not on server %s (devices: %s)", remote.ErrUnknownDevice, name, s.name, strings.Join(s.Devices(), ", "))
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

// Shutdown stops every device (cancelling their pending operations and
// flushing their telemetry) and then the server's own component; later
// calls are refused with CodeShutdown, and Add fails. It does not stop
// Serve (its context does). Shutting down twice is harmless.
func (s *Server) Shutdown(ctx context.Context) error {
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
