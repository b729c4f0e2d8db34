package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain lets the demo start this test binary as `sightline devices`,
// and the in-flight test start it as an emitting child.
func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if os.Getenv(inflightChildEnv) == "1" {
		os.Exit(runInflightChild())
	}
	// Admin token files (the demo's device server) go to a directory of the
	// test run, never the user's own; child processes inherit it.
	dir, err := os.MkdirTemp("", "sightline-cmd-test-run")
	if err == nil {
		err = os.Setenv("SIGHTLINE_RUNTIME_DIR", dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
