package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sightline-dev/sightline/telemetry/admin"
)

// Serve answers on ln until ctx ends, then shuts the HTTP server down
// gracefully (in-flight calls finish, up to admin.ShutdownTimeout). It
// returns nil after a shutdown caused by ctx. Devices keep running:
// Shutdown stops them. Without a configured admin token (WithAdminToken,
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
		ConnContext: withConn}
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
