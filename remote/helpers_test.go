package remote_test

import "github.com/sightline-dev/sightline/remote/internal/remotetest"

// The helpers of remote/internal/remotetest, under the short names the
// tests use.
var (
	envOf       = remotetest.EnvOf
	memEnv      = remotetest.MemEnv
	offEnv      = remotetest.OffEnv
	newMem      = remotetest.NewMem
	startServer = remotetest.StartServer
	dial        = remotetest.Dial
	dialWith    = remotetest.DialWith
	client      = remotetest.Client
	calc        = remotetest.Calc
	tree        = remotetest.Tree
	spanAttr    = remotetest.SpanAttr
	findSpan    = remotetest.FindSpan
)

type sum = remotetest.Sum
