package admin

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

func TestClientRoutes(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	c, ctl := f.client, f.comp.Control()
	mem := telemetry.Endpoint{Exporter: "memory", URL: f.mem}
	other := telemetry.Endpoint{Exporter: "memory", URL: memName()}
	httpEP := telemetry.Endpoint{Exporter: "http", URL: "http://127.0.0.1:4318/v1/traces"}

	tests := []struct {
		name  string
		call  func() error
		check func() bool
	}{
		{"components", func() error {
			names, err := c.Components(ctx)
			if err == nil && !slices.Equal(names, []string{"motor"}) {
				t.Errorf("Components = %q", names)
			}
			return err
		}, nil},
		{"status", func() error {
			st, err := c.Status(ctx, "motor")
			if err == nil && (st.Component != "motor" || !st.Enabled || len(st.Settings) == 0 || len(st.Endpoints) != 2) {
				t.Errorf("Status = %+v", st)
			}
			return err
		}, nil},
		{"stop", func() error { return c.Disable(ctx, "motor") }, func() bool { return !ctl.Enabled() }},
		{"start", func() error { return c.Enable(ctx, "motor") }, ctl.Enabled},
		{"set topics", func() error { return c.SetTopics(ctx, "motor", []string{"user", "kernel"}) },
			func() bool { return ctl.Topics() == telemetry.Topics{User: true, Kernel: true} }},
		{"topics", func() error {
			got, err := c.Topics(ctx, "motor")
			if err == nil && !slices.Equal(got, []string{"user", "kernel"}) {
				t.Errorf("Topics = %q", got)
			}
			return err
		}, nil},
		{"set topics none", func() error { return c.SetTopics(ctx, "motor", []string{"none"}) },
			func() bool { return ctl.Topics() == telemetry.Topics{} }},
		{"tracing off", func() error { return c.SetTracing(ctx, "motor", false) }, func() bool { return !ctl.Tracing() }},
		{"tracing", func() error {
			on, err := c.Tracing(ctx, "motor")
			if err == nil && on {
				t.Error("Tracing = true after SetTracing(false)")
			}
			return err
		}, nil},
		{"tracing on", func() error { return c.SetTracing(ctx, "motor", true) }, ctl.Tracing},
		{"logging off", func() error { return c.SetLogging(ctx, "motor", false) }, func() bool { return !ctl.Logging() }},
		{"logging", func() error {
			on, err := c.Logging(ctx, "motor")
			if err == nil && on {
				t.Error("Logging = true after SetLogging(false)")
			}
			return err
		}, nil},
		{"logging on", func() error { return c.SetLogging(ctx, "motor", true) }, ctl.Logging},
		{"add tracing endpoint", func() error { return c.AddTracingEndpoint(ctx, "motor", other) },
			func() bool { return slices.Equal(ctl.TracingEndpoints(), []telemetry.Endpoint{mem, other}) }},
		{"tracing endpoints", func() error {
			eps, err := c.TracingEndpoints(ctx, "motor")
			if err == nil && !slices.Equal(eps, []telemetry.Endpoint{mem, other}) {
				t.Errorf("TracingEndpoints = %v", eps)
			}
			return err
		}, nil},
		{"remove tracing endpoint", func() error { return c.RemoveTracingEndpoint(ctx, "motor", mem) },
			func() bool { return slices.Equal(ctl.TracingEndpoints(), []telemetry.Endpoint{other}) }},
		{"set tracing endpoints", func() error {
			return c.SetTracingEndpoints(ctx, "motor", []telemetry.Endpoint{{Exporter: "http", URL: "http://127.0.0.1:4318"}, mem})
		}, func() bool { return slices.Equal(ctl.TracingEndpoints(), []telemetry.Endpoint{httpEP, mem}) }},
		{"set tracing endpoints none", func() error { return c.SetTracingEndpoints(ctx, "motor", nil) },
			func() bool { return slices.Equal(ctl.TracingEndpoints(), []telemetry.Endpoint{{Exporter: "none"}}) }},
		{"add logging endpoint", func() error { return c.AddLoggingEndpoint(ctx, "motor", other) },
			func() bool { return slices.Equal(ctl.LoggingEndpoints(), []telemetry.Endpoint{mem, other}) }},
		{"logging endpoints", func() error {
			eps, err := c.LoggingEndpoints(ctx, "motor")
			if err == nil && !slices.Equal(eps, []telemetry.Endpoint{mem, other}) {
				t.Errorf("LoggingEndpoints = %v", eps)
			}
			return err
		}, nil},
		{"remove logging endpoint", func() error { return c.RemoveLoggingEndpoint(ctx, "motor", other) },
			func() bool { return slices.Equal(ctl.LoggingEndpoints(), []telemetry.Endpoint{mem}) }},
		{"set logging endpoints", func() error {
			return c.SetLoggingEndpoints(ctx, "motor", []telemetry.Endpoint{other})
		}, func() bool { return slices.Equal(ctl.LoggingEndpoints(), []telemetry.Endpoint{other}) }},
		{"sampler ratio only", func() error { return c.SetSampler(ctx, "motor", telemetry.Sampler{Ratio: 0.25}) },
			func() bool { return ctl.Sampler() == telemetry.RatioSampler(0.25) }},
		{"sampler", func() error {
			s, err := c.Sampler(ctx, "motor")
			if err == nil && s != telemetry.RatioSampler(0.25) {
				t.Errorf("Sampler = %v", s)
			}
			return err
		}, nil},
		{"sampler named", func() error {
			return c.SetSampler(ctx, "motor", telemetry.Sampler{Name: telemetry.SamplerTraceIDRatio, Ratio: 0.5})
		}, func() bool {
			return ctl.Sampler() == telemetry.Sampler{Name: telemetry.SamplerTraceIDRatio, Ratio: 0.5}
		}},
		{"sampler without ratio", func() error {
			return c.SetSampler(ctx, "motor", telemetry.Sampler{Name: telemetry.SamplerAlwaysOff})
		}, func() bool { return ctl.Sampler() == telemetry.Sampler{Name: telemetry.SamplerAlwaysOff, Ratio: 1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err != nil {
				t.Fatal(err)
			}
			if tt.check != nil && !tt.check() {
				cfg, _ := ctl.Config()
				t.Errorf("the change did not reach Control: %+v", cfg)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	before := snap(f.comp)

	err := f.client.SetTopics(ctx, "motor", []string{"user", "gpu"})
	e := asError(t, err)
	checkError(t, e.StatusCode, *e, Error{StatusCode: 400, Message: `unknown topic "gpu"`, Field: "topics[1]",
		Value: "gpu", Allowed: []string{"user", "kernel", "all", "none"}})
	if want := "(allowed: user, kernel, all, none)"; !strings.HasSuffix(e.Error(), want) {
		t.Errorf("Error() = %q, want the allowed values %q", e.Error(), want)
	}

	_, err = f.client.Status(ctx, "sim/nothing")
	e = asError(t, err)
	checkError(t, e.StatusCode, *e, Error{StatusCode: 404, Message: `unknown component "sim/nothing"`,
		Field: "component", Value: "sim/nothing", Allowed: []string{"motor"}})

	err = f.client.SetSampler(ctx, "motor", telemetry.Sampler{Name: "sometimes"})
	e = asError(t, err)
	checkError(t, e.StatusCode, *e, Error{StatusCode: 400, Message: `unknown sampler "sometimes"`, Field: "name", Value: "sometimes"})

	err = f.client.AddTracingEndpoint(ctx, "motor", telemetry.Endpoint{Exporter: "grpc", URL: "grpc://collector"})
	e = asError(t, err)
	checkError(t, e.StatusCode, *e, Error{StatusCode: 400, Message: "has no port", Field: "url", Value: "grpc://collector",
		Allowed: []string{"grpc://host:port", "grpcs://host:port"}})

	err = f.client.Disable(ctx, "motor", Persist())
	e = asError(t, err)
	checkError(t, e.StatusCode, *e, Error{StatusCode: 400, Message: "persist asked but this server has no property store",
		Field: "persist", Value: "1"})

	if _, err := f.client.Topics(ctx, ""); err == nil || !strings.Contains(err.Error(), "empty component name") {
		t.Errorf("Topics of an empty name: %v", err)
	}
	before.unchanged(t, f.comp)
}

func TestNewClientAddress(t *testing.T) {
	tests := []struct {
		addr, base, err string
	}{
		{"127.0.0.1:8761", "http://127.0.0.1:8761", ""},
		{"[::1]:8761", "http://[::1]:8761", ""},
		{"localhost:1", "http://localhost:1", ""},
		{"http://127.0.0.1:8761", "http://127.0.0.1:8761", ""},
		{"https://admin.example:443/", "https://admin.example:443", ""},
		{" http://h:1 ", "http://h:1", ""},
		{"", "", "empty address"},
		{"127.0.0.1", "", "want host:port"},
		{"ftp://h:1", "", `scheme "ftp"`},
		{"http://:1", "", "no host"},
		{"http://h:1/admin", "", "without user, path"},
		{"http://u:p@h:1", "", "without user, path"},
		{"http://h:99999", "", "port"},
		{"http://h:1?x=1", "", "without user, path"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c, err := NewClient(tt.addr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "bad address") {
					t.Fatalf("NewClient(%q) = %v, want an error about %q", tt.addr, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.base != tt.base {
				t.Errorf("base = %q, want %q", c.base, tt.base)
			}
		})
	}
}

func TestClientTransportError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c, err := NewClient(addr, WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Status(context.Background(), "sim/motor/1")
	want := "http://" + addr + "/telemetry/v1/components/sim%2Fmotor%2F1/status"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to name %s", err, want)
	}
}

// A response that is not the JSON error shape (from a proxy, say) still
// becomes an *Error with the status.
func TestClientNonJSONError(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	defer func() { _ = srv.Close(); <-done }()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c, _ := NewClient(ln.Addr().String(), WithHTTPClient(hc))
	e := asError(t, c.Disable(context.Background(), "motor"))
	if e.StatusCode != http.StatusBadGateway || e.Error() != "502 Bad Gateway: upstream down" {
		t.Errorf("error = %d %q", e.StatusCode, e.Error())
	}
}
