package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds the graceful shutdown of Serve and ListenAndServe
// once their context ends; requests still running then are cut off.
const ShutdownTimeout = 5 * time.Second

// CheckAddress refuses a listen address that other hosts could reach
// unless a token was configured (tokenConfigured; see
// Handler.TokenConfigured): a generated token lives only in a local file,
// so without a configured one the admin API may only listen on a loopback
// address (127.0.0.1, [::1], localhost). Servers that mount the Handler in
// their own mux should call it with their listen address.
func CheckAddress(addr string, tokenConfigured bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("telemetry admin: listen address %q: %w", addr, err)
	}
	if tokenConfigured || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("telemetry admin: refusing to listen on %q without a configured token: set %s "+
		"(at least %d characters, e.g. from `openssl rand -hex 16`) or use WithToken, "+
		"or listen on a loopback address such as 127.0.0.1:PORT", addr, TokenEnv, MinTokenLength)
}

// CheckListener is CheckAddress for a listener's address: a Unix socket
// or a loopback address is always fine.
func (h *Handler) CheckListener(a net.Addr) error {
	if h.tokenConfigured || isLoopbackAddr(a) {
		return nil
	}
	return fmt.Errorf("telemetry admin: refusing to serve on %s without a configured token: set %s "+
		"(at least %d characters, e.g. from `openssl rand -hex 16`) or use WithToken, "+
		"or listen on a loopback address", a, TokenEnv, MinTokenLength)
}

// ListenAndServe listens on addr (TCP) and serves the admin API until ctx
// ends, then shuts down gracefully (at most ShutdownTimeout). Without a
// configured token it refuses an address that is not loopback, before
// listening (see CheckAddress). It returns nil after a graceful shutdown.
func (h *Handler) ListenAndServe(ctx context.Context, addr string) error {
	if err := CheckAddress(addr, h.tokenConfigured); err != nil {
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
// takes ln over and closes it, also when it refuses it: without a
// configured token ln must be a loopback (or Unix socket) listener. It
// publishes the token file for ln's port (Publish) before it answers, then
// calls the WithReady function, and removes the file when it returns.
func (h *Handler) Serve(ctx context.Context, ln net.Listener) (err error) {
	if err := h.CheckListener(ln.Addr()); err != nil {
		_ = ln.Close()
		return err
	}
	if _, err := h.Publish(ln.Addr()); err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { err = errors.Join(err, h.Unpublish(ln.Addr())) }()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if h.ready != nil {
		h.ready(ln.Addr())
	}
	select {
	case err := <-served:
		return fmt.Errorf("telemetry admin: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("telemetry admin: shutting down on %s: %w", ln.Addr(), err)
	}
	<-served
	return err
}
