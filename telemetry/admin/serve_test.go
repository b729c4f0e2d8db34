package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		addr     string
		hasToken bool
		ok       bool
	}{
		{"127.0.0.1:8761", false, true},
		{"127.0.0.1:0", false, true},
		{"[::1]:8761", false, true},
		{"localhost:8761", false, true},
		{"LOCALHOST:8761", false, true},
		{"0.0.0.0:8761", false, false},
		{":8761", false, false},
		{"[::]:8761", false, false},
		{"192.0.2.1:1", false, false},
		{"admin.example:8761", false, false},
		{"0.0.0.0:8761", true, true},
		{":8761", true, true},
		{"no-port", false, false},
		{"no-port", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckAddress(tt.addr, tt.hasToken)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckAddress(%q, %v) = %v", tt.addr, tt.hasToken, err)
			}
			if err != nil && !strings.Contains(err.Error(), `"`+tt.addr+`"`) {
				t.Errorf("error %q does not name the address", err)
			}
		})
	}
}

func TestListenAndServeRefusesWithoutToken(t *testing.T) {
	h, err := NewHandler(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:1", ":0"} {
		t.Run(addr, func(t *testing.T) {
			err := h.ListenAndServe(context.Background(), addr)
			if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "SIGHTLINE_ADMIN_TOKEN") {
				t.Fatalf("ListenAndServe(%q) = %v", addr, err)
			}
		})
	}
}

// listenAndServe runs h.ListenAndServe(addr) and returns the address it
// listens on and a stop function that returns its error.
func listenAndServe(t *testing.T, h *Handler, addr string) (net.Addr, func() error) {
	t.Helper()
	listening := make(chan net.Addr, 1)
	h.ready = func(a net.Addr) { listening <- a }
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- h.ListenAndServe(ctx, addr) }()
	select {
	case a := <-listening:
		return a, func() error { cancel(); return <-served }
	case err := <-served:
		cancel()
		t.Fatalf("ListenAndServe(%q): %v", addr, err)
		return nil, nil
	}
}

func TestListenAndServe(t *testing.T) {
	tests := []struct {
		addr, token string
	}{
		{"127.0.0.1:0", ""},
		{"[::1]:0", ""},
		{"localhost:0", ""},
		{"0.0.0.0:0", goodToken},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if strings.HasPrefix(tt.addr, "[::1]") {
				ln, err := net.Listen("tcp", tt.addr)
				if err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				}
				_ = ln.Close()
			}
			comp, _ := testComponent(t, "motor", nil)
			h, err := NewHandler(noEnv, WithToken(tt.token), WithComponents(comp))
			if err != nil {
				t.Fatal(err)
			}
			addr, stop := listenAndServe(t, h, tt.addr)
			port := addr.(*net.TCPAddr).Port
			target := addr.String()
			if tt.token != "" {
				target = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			}
			hc := &http.Client{Transport: &http.Transport{}}
			defer hc.CloseIdleConnections()
			c, err := NewClient(target, WithHTTPClient(hc), WithClientToken(h.Token()))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Disable(context.Background(), "motor"); err != nil {
				t.Fatal(err)
			}
			if comp.Control().Enabled() {
				t.Error("still enabled after Disable")
			}
			if err := stop(); err != nil {
				t.Errorf("ListenAndServe returned %v after ctx ended", err)
			}
		})
	}
}

// Serve refuses (and closes) a listener other hosts can reach when there
// is no token.
func TestServeRefusesNonLoopbackListener(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on all interfaces: %v", err)
	}
	h, err := NewHandler(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	err = h.Serve(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) || !strings.Contains(err.Error(), TokenEnv) {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener not closed: Accept = %v", err)
	}
}

// When ctx ends, a request in flight finishes before Serve returns.
func TestServeShutsDownGracefully(t *testing.T) {
	comp, _ := testComponent(t, "motor", nil)
	p := &blockingPersister{entered: make(chan struct{}), release: make(chan struct{})}
	h, err := NewHandler(noEnv, WithComponents(comp), WithPersister(p))
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := listenAndServe(t, h, "127.0.0.1:0")
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c, _ := NewClient(addr.String(), WithHTTPClient(hc), WithClientToken(h.Token()))

	done := make(chan error, 1)
	go func() { done <- c.Disable(context.Background(), "motor", Persist()) }()
	<-p.entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	close(p.release)
	if err := <-done; err != nil {
		t.Errorf("request in flight at shutdown: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if comp.Control().Enabled() {
		t.Error("the change in flight was lost")
	}
}

type blockingPersister struct{ entered, release chan struct{} }

func (p *blockingPersister) SetProperties(context.Context, string, map[string][]string) error {
	close(p.entered)
	<-p.release
	return nil
}
