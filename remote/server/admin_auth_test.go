package server_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

const adminToken = "device-server-token-0123456789"

// Telemetry changes on a device server need the admin token, also from
// loopback: an admin client with the configured token or, by default, with
// the token file the server published changes; without a token or with a
// wrong one it is refused and nothing changes.
func TestDeviceTelemetryNeedsToken(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		srv    []server.Option
		client []admin.ClientOption
		status int // 0: the change is made
	}{
		{"generated token, read from the token file", nil, nil, 0},
		{"configured token", []server.Option{server.WithAdminToken(adminToken)}, []admin.ClientOption{admin.WithClientToken(adminToken)}, 0},
		{"configured token, from the server's environment", []server.Option{server.WithEnv(envOf(map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE": "off", admin.TokenEnv: adminToken}))}, []admin.ClientOption{admin.WithClientToken(adminToken)}, 0},
		{"wrong token", nil, []admin.ClientOption{admin.WithClientToken("not-the-token-0123456789")}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, "CalcServer/auth", offEnv, tt.srv, calc("lab/calc/1"))
			err := adminClient(t, addr, tt.client...).SetTopics(ctx, "lab/calc/1", []string{"kernel"})
			// Reads on loopback need no token.
			topics, rerr := adminClient(t, addr).Topics(ctx, "lab/calc/1")
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.status == 0 {
				if err != nil || strings.Join(topics, ",") != "kernel" {
					t.Fatalf("SetTopics = %v, topics now %v", err, topics)
				}
				return
			}
			var e *admin.Error
			if !errors.As(err, &e) || e.StatusCode != tt.status || strings.Join(topics, ",") != "user" {
				t.Fatalf("SetTopics = %v, topics now %v; want %d and no change", err, topics, tt.status)
			}
		})
	}

	// A raw change without a token, on 127.0.0.1, is refused.
	_, addr := startServer(t, "CalcServer/raw", offEnv, nil, calc("lab/calc/1"))
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+admin.PathPrefix+"/lab%2Fcalc%2F1/stop", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST stop without a token: %d, want 401", resp.StatusCode)
	}
}

// The server publishes its token file while it serves and removes it when
// Serve returns.
func TestDeviceServerTokenFile(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := server.New(ctx, "CalcServer/file", server.WithEnv(envOf(offEnv)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	a := <-ready
	path, err := admin.TokenFile("", a.(*net.TCPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	info, err := admin.ReadTokenFile(path)
	if err != nil || info.Addr != a.String() || info.PID != os.Getpid() || len(info.Token) < admin.MinTokenLength {
		t.Fatalf("token file while serving: %+v, %v", info, err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file after Serve returned: %v", err)
	}
}

// Without a configured token a device server does not serve where other
// hosts can reach it, and a weak configured token is refused.
func TestDeviceServerAdminRefusals(t *testing.T) {
	ctx := context.Background()
	srv, err := server.New(ctx, "CalcServer/refuse", server.WithEnv(envOf(offEnv)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	if err := srv.ListenAndServe(ctx, "0.0.0.0:0", nil); err == nil || !strings.Contains(err.Error(), admin.TokenEnv) ||
		!strings.Contains(err.Error(), `"0.0.0.0:0"`) {
		t.Errorf("ListenAndServe on all interfaces without a token = %v", err)
	}
	if ln, err := net.Listen("tcp", "0.0.0.0:0"); err == nil {
		err := srv.Serve(ctx, ln)
		if err == nil || !strings.Contains(err.Error(), admin.TokenEnv) {
			t.Errorf("Serve on all interfaces without a token = %v", err)
		}
		if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("listener not closed: %v", err)
		}
	}
	for _, tok := range []string{"short", strconv.Itoa(123456789012345)} {
		if _, err := server.New(ctx, "CalcServer/weak", server.WithEnv(envOf(offEnv)), server.WithAdminToken(tok)); !errors.Is(err, admin.ErrWeakToken) ||
			!strings.Contains(err.Error(), "CalcServer/weak") {
			t.Errorf("New with a %d-character token = %v", len(tok), err)
		}
	}
}
