package server_test

import (
	"testing"

	"github.com/sightline-dev/sightline/remote/internal/remotetest"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// The helpers of remote/internal/remotetest, under the short names the
// tests use.
var (
	envOf       = remotetest.EnvOf
	memEnv      = remotetest.MemEnv
	offEnv      = remotetest.OffEnv
	newMem      = remotetest.NewMem
	startServer = remotetest.StartServer
	dial        = remotetest.Dial
	calc        = remotetest.Calc
	tree        = remotetest.Tree
	findSpan    = remotetest.FindSpan
)

type sum = remotetest.Sum

// adminClient is a telemetry admin client of the device server at addr,
// as a program controlling its devices' telemetry makes one: the token
// from opts, else the token file the server published (on loopback).
func adminClient(t testing.TB, addr string, opts ...admin.ClientOption) *admin.Client {
	t.Helper()
	c, err := admin.NewClient(addr, append([]admin.ClientOption{admin.WithRuntimeToken("")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}
