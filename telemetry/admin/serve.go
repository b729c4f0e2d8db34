package admin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds the graceful shutdown of Serve and ListenAndServe
// once their context ends; requests still running then are cut off.
const ShutdownTimeout = 5 * time.Second

// CheckAddress refuses a listen address that other hosts could reach when
// no token is configured: without a token the admin API may only listen on
// a loopback address (127.0.0.1, [::1], localhost). Servers that mount the
// Handler in their own mux should call it with their listen address.
func CheckAddress(addr string, hasToken bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("telemetry admin: listen address %q: %w", addr, err)
	}
	if hasToken || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("telemetry admin: refusing to listen on %q without a token: set %s (or use WithToken), "+
		"or listen on a loopback address such as 127.0.0.1:PORT", addr, TokenEnv)
}

// ListenAndServe listens on addr (TCP) and serves the admin API until ctx
// ends, then shuts down gracefully (at most ShutdownTimeout). Without a
// token it refuses an address that is not loopback (see CheckAddress). It
// returns nil after a graceful shutdown.
func (h *Handler) ListenAndServe(ctx context.Context, addr string) error {
	if err := CheckAddress(addr, h.token != ""); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("telemetry admin: %w", err)
	}
	return h.Serve(ctx, ln)
}

// Serve serves the admin API on ln until ctx ends, like ListenAndServe. It
// takes ln over and closes it, also when it refuses it: without a token ln
// must be a loopback (or Unix socket) listener.
func (h *Handler) Serve(ctx context.Context, ln net.Listener) error {
	if h.token == "" && !isLoopbackAddr(ln.Addr()) {
		_ = ln.Close()
		return fmt.Errorf("telemetry admin: refusing to serve on %s without a token: set %s (or use WithToken), "+
			"or listen on a loopback address", ln.Addr(), TokenEnv)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if h.listening != nil {
		h.listening(ln.Addr())
	}
	select {
	case err := <-served:
		return fmt.Errorf("telemetry admin: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("telemetry admin: shutting down on %s: %w", ln.Addr(), err)
	}
	<-served
	return err
}
