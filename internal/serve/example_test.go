package serve_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/sightline-dev/sightline/internal/serve"
)

// A server on free loopback ports, started, asked for its counters, and
// stopped.
func Example() {
	dir, err := os.MkdirTemp("", "serve-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg := serve.DefaultConfig()
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.UIAddr, cfg.DataDir = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", dir

	var out strings.Builder
	srv, err := serve.New(cfg, serve.WithOutput(&out))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(srv.Addrs().UI + "/api/stats")
	if err == nil {
		fmt.Println("GET /api/stats:", resp.Status)
		resp.Body.Close()
	}
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	for line := range strings.Lines(out.String()) {
		fmt.Print(strings.Fields(line)[2], " ") // otlp, otlp, ui, data, stopping, stopped
	}
	fmt.Println()
	// Output:
	// GET /api/stats: 200 OK
	// otlp otlp ui data stopping stopped
}
