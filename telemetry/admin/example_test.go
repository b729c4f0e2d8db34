package admin_test

import (
	"context"
	"fmt"
	"net"

	// Registers the memory exporter the example's component exports to.
	_ "github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// A device server serves the admin API for its component; an operator's
// tool disables the component's telemetry (POST .../stop) and reads its
// status.
func Example() {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithComponent("sim/motor/1"),
		telemetry.WithEnv(func(name string) (string, bool) {
			v, ok := map[string]string{
				"SIGHTLINE_TELEMETRY_ENABLE":            "on",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory",
				"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "admin-example",
				"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "memory",
				"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": "admin-example",
			}[name]
			return v, ok
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comp.Shutdown(ctx)

	// No token configured: the handler generates one and, once it serves,
	// publishes it in the token file of the user's runtime directory
	// ($SIGHTLINE_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sightline, ...).
	ready := make(chan net.Addr, 1)
	h, err := admin.NewHandler(admin.WithComponents(comp),
		admin.WithEnv(func(string) (string, bool) { return "", false }),
		admin.WithReady(func(a net.Addr) { ready <- a }))
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	served := make(chan error, 1)
	go func() { served <- h.Serve(serveCtx, ln) }()
	addr := <-ready

	// The operator's client reads the token from that file, as sightline
	// ctl does.
	client, err := admin.NewClient(addr.String(), admin.WithRuntimeToken(""))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.CloseIdleConnections()
	names, _ := client.Components(ctx)
	fmt.Println("components:", names)
	if err := client.Disable(ctx, "sim/motor/1"); err != nil {
		fmt.Println(err)
	}
	st, err := client.Status(ctx, "sim/motor/1")
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(st.Component, "enabled:", st.Enabled)
	fmt.Println(client.SetTopics(ctx, "sim/motor/1", []string{"user", "gpu"}))

	stopServing()
	fmt.Println("served:", <-served)
	// Output:
	// components: [sim/motor/1]
	// sim/motor/1 enabled: false
	// topics[1]: unknown topic "gpu" (allowed: user, kernel, all, none)
	// served: <nil>
}
