package otlp

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the client's gzip compressor
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"

	"github.com/sightline-dev/sightline/internal/poll"
)

// TestGRPCByteAdmission: a gRPC message holds MaxRequestBytes from its
// headers until it is read, then its decoded cost until the sink returns
// (so the tap's context reaches the stats handler); the bytes are released
// however the RPC ends.
func TestGRPCByteAdmission(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 64 << 10
	// Room for a's cost, b's tap reservation and what decoding b needs
	// beyond it (its bytes, twice when they came in several buffers, and
	// its cost), but not for another tap beside a's and b's costs.
	cfg.MaxInFlightBytes = 100 << 10
	sink := newFakeSink()
	gate := make(chan struct{})
	sink.set(sinkBehavior{gate: gate})
	r, ends := startReceiverEnds(t, cfg, sink)
	conn := dial(t, r)
	client := ptraceotlp.NewGRPCClient(conn)
	ctx := context.Background()

	a, b := padded(20<<10), padded(24<<10)
	costA, costB := costOf(t, paddedProto(t, 20<<10), signalTraces), costOf(t, paddedProto(t, 24<<10), signalTraces)
	done := make(chan error, 2)
	go func() { _, err := client.Export(ctx, a); done <- err }()
	sink.waitEntered(t)
	go func() { _, err := client.Export(ctx, b, grpc.UseCompressor("gzip")); done <- err }()
	sink.waitEntered(t)
	if got := r.Stats().InFlightBytes; got != costA+costB {
		t.Fatalf("in-flight bytes %d while two messages are stored, want their decoded costs %d + %d", got, costA, costB)
	}
	// About 47 KiB held: another message's 64 KiB do not fit.
	_, err := client.Export(ctx, padded(10))
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != time.Second || !strings.Contains(st.Message(), "64 KiB more would exceed the limit of 100 KiB") {
		t.Errorf("third message: %v %q RetryInfo %v, want ResourceExhausted with RetryInfo 1s", st.Code(), st.Message(), retryInfo(st))
	}
	close(gate)
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("held message: %v", err)
		}
		waitEnd(t, ends)
	}
	if got := r.Stats().InFlightBytes; got != 0 {
		t.Fatalf("in-flight bytes %d after the RPCs ended, want 0", got)
	}

	// However an RPC ends, its bytes are released.
	endings := []struct {
		name    string
		method  string
		payload []byte
		code    codes.Code
	}{
		{"stored", methodTraces, paddedProto(t, 10), codes.OK},
		{"malformed", methodTraces, []byte("\xff\xff\xff\xff"), codes.InvalidArgument},
		{"over MaxRequestBytes", methodLogs, make([]byte, 100<<10), codes.ResourceExhausted},
		{"metrics", methodMetrics, nil, codes.Unimplemented},
	}
	for _, e := range endings {
		err := invokeRaw(ctx, conn, e.method, e.payload)
		waitEnd(t, ends)
		if status.Code(err) != e.code {
			t.Errorf("%s: %v, want %v", e.name, err, e.code)
		}
		if got := r.Stats().InFlightBytes; got != 0 {
			t.Errorf("%s: in-flight bytes %d after the RPC ended, want 0", e.name, got)
		}
	}
	s := r.Stats().Traces
	if s.RefusedRequests.Memory != 1 || s.Requests.GRPC != 5 {
		t.Errorf("stats %+v: want 1 request refused for memory among 5", s)
	}
}

// TestTapReservation calls the tap as grpc-go does and checks what it holds
// when the stream's context ends before and after TagRPC, and when the
// budget is full.
func TestTapReservation(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 1 << 20
	cfg.MaxInFlightBytes = 2 << 20
	r, err := New(cfg, newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Shutdown(context.Background()) }()
	h := grpcStats{r: r}
	info := &tap.Info{FullMethodName: methodLogs}

	// Dropped by grpc-go before TagRPC (deadline passed): released when
	// the stream's context ends.
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := r.tap(ctx, info); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().InFlightBytes; got != 1<<20 {
		t.Fatalf("in-flight bytes %d after the tap, want MaxRequestBytes", got)
	}
	cancel()
	poll.Until(t, testTimeout, "the bytes of a dropped stream to be released", func() bool { return r.Stats().InFlightBytes == 0 })

	// Taken over by TagRPC: held after the context ends, until End.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	tctx, err := r.tap(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	rctx := h.TagRPC(tctx, &stats.RPCTagInfo{FullMethodName: methodLogs})
	// The codec decoded the message, whose cost (1000 bytes) the tap's
	// reservation covers; a message without an outcome holds nothing.
	msg := &struct{ n int }{}
	r.decoded.put(msg, &decodeOutcome{need: 1000})
	h.HandleRPC(rctx, &stats.InPayload{Payload: msg, Length: 300})
	cancel()
	if got := r.Stats().InFlightBytes; got != 1000 {
		t.Errorf("in-flight bytes %d after InPayload, want the decoded message's 1000", got)
	}
	// Full: the second tap of MaxRequestBytes does not fit beside 1 MiB.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	if _, err := r.tap(ctx2, info); err != nil {
		t.Fatal(err)
	}
	_, err = r.tap(ctx2, info)
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != time.Second {
		t.Errorf("tap when full: %v, want ResourceExhausted with RetryInfo", err)
	}
	if s := r.Stats().Logs; s.RefusedRequests.Memory != 1 || s.Requests.GRPC != 1 {
		t.Errorf("logs stats %+v: want the refused stream counted", s)
	}
	h.HandleRPC(rctx, &stats.End{})
	cancel2()
	poll.Until(t, testTimeout, "every byte to be released", func() bool { return r.Stats().InFlightBytes == 0 })

	// Other methods reserve nothing.
	if _, err := r.tap(context.Background(), &tap.Info{FullMethodName: "/grpc.health.v1.Health/Check"}); err != nil || r.Stats().InFlightBytes != 0 {
		t.Errorf("tap of another method: %v, %d bytes", err, r.Stats().InFlightBytes)
	}
}

// TestGRPCStalledMessage: a gRPC client that sends its headers and then no
// message holds MaxRequestBytes only until the read timeout: then its RPC
// ends, counted as canceled, and the bytes are released. An HTTP client
// that stalls its body holds its bytes only as long.
func TestGRPCStalledMessage(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 1 << 20
	cfg.MaxInFlightBytes = 1 << 20
	ends := make(chan struct{}, 64)
	r := startReceiverSetup(t, cfg, newFakeSink(), func(r *Receiver) {
		r.readTimeout = 300 * time.Millisecond
	}, withRPCEnds(ends))
	conn := dial(t, r)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true}, methodTraces, grpc.ForceCodecV2(rawCodec{}))
	if err != nil {
		t.Fatal(err)
	}
	poll.Until(t, testTimeout, "the stalled stream's headers to reserve its bytes", func() bool { return r.Stats().InFlightBytes == 1<<20 })
	// Meanwhile every other request is refused: the budget is taken.
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, padded(10)); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("request beside the stalled one: %v, want ResourceExhausted", err)
	}
	var out []byte
	err = stream.RecvMsg(&out) // returns once the server gives up on the message
	waitEnd(t, ends)
	if code := status.Code(err); code != codes.Canceled {
		t.Errorf("stalled stream ended with %v, want Canceled", err)
	}
	if got := r.Stats().InFlightBytes; got != 0 {
		t.Errorf("in-flight bytes %d after the stalled stream ended, want 0", got)
	}
	if s := r.Stats().Traces; s.RefusedRequests.Canceled != 1 || s.RefusedRequests.Memory != 1 {
		t.Errorf("stats %+v: want 1 canceled and 1 refused for memory", s)
	}
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, padded(10)); err != nil {
		t.Errorf("after the stalled stream: %v", err)
	}
}
