package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

// fullPad makes each request of the queue-full tests about 512 KiB: one
// span, so that a request, a queued record and a span are one and the
// same, and what is dropped is counted exactly in spans.
const fullPad = 512 << 10

// startFullAgent starts an agent forwarding to up (which is down) with the
// smallest queue allowed, 16MiB (so --max-request-bytes 8MiB: the queue
// must hold two of the largest requests), and the policy.
func startFullAgent(t *testing.T, bin string, up *upstream, policy string) *child {
	t.Helper()
	return startChild(t, bin, "--data", t.TempDir(), "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0",
		"--forward", "http://"+up.http, "--forward-queue-size", "16MiB", "--max-request-bytes", "8MiB", "--forward-when-full", policy)
}

// TestForwardQueueFullBlock: with the upstream down and the queue full,
// under block, requests are refused 429 with Retry-After, each counted
// by the receiver as forward_queue_full; once the upstream is back the
// queue drains, the refused request is accepted when sent again, and
// every acknowledged span arrives.
func TestForwardQueueFullBlock(t *testing.T) {
	bin := builtSightline(t)
	t.Parallel()
	up := newUpstream(t)
	agent := startFullAgent(t, bin, up, "block")

	ctx := t.Context()
	var acked []int
	refused := 0
	n := 0
	for refused < 5 {
		if n > 100 {
			t.Fatalf("no 429 after %d requests of %d KiB into a 16 MiB queue", n, fullPad>>10)
		}
		code, retryAfter, err := sendTraces(ctx, agent.addrs.HTTP, fwdRequest(n, 1, fullPad))
		switch {
		case err != nil:
			t.Fatal(err)
		case code == http.StatusOK:
			if refused > 0 {
				t.Fatalf("request %d acknowledged after %d refusals, with the upstream down", n, refused)
			}
			acked = append(acked, n)
			n++
		case code == http.StatusTooManyRequests && retryAfter != "":
			refused++ // request n is sent again
		default:
			t.Fatalf("request %d: %d (Retry-After %q), want 200 or 429 with Retry-After", n, code, retryAfter)
		}
	}
	st := mustStats(t, agent.addrs.UI)
	if got := st.Receiver.Traces.RefusedRequests["forward_queue_full"]; got != int64(refused) {
		t.Errorf("receiver's refused_requests.forward_queue_full = %d; the sender got %d 429s", got, refused)
	}
	if f := st.Forward; f.QueueRecords != int64(len(acked)) || f.Dropped.Full.Records != 0 || f.QueueBytes > 16<<20 {
		t.Errorf("full queue: %d acknowledged; %+v", len(acked), f)
	}

	up.start(t, bin)
	poll.Until(t, 40*time.Second, "the refused request accepted once the upstream is back", func() bool {
		code, _, err := sendTraces(ctx, agent.addrs.HTTP, fwdRequest(n, 1, fullPad))
		return err == nil && code == http.StatusOK
	})
	acked = append(acked, n)
	poll.Until(t, 40*time.Second, "every acknowledged span upstream", func() bool {
		return mustStats(t, agent.addrs.UI).Forward.QueueRecords == 0 && mustStats(t, up.c.addrs.UI).Store.Spans >= int64(len(acked))
	})
	arrived := checkArrived(t, up.c.addrs.UI, acked, 1)
	t.Logf("block: %d requests acknowledged before the queue was full, %d refused with 429, %d spans arrived", len(acked)-1, refused, arrived)
}

// TestForwardQueueFullDropOldest: under drop-oldest nothing is refused
// while the upstream is down; the oldest queued requests are dropped to
// make room, and what never reaches the upstream is exactly what
// /api/stats counts as dropped: the oldest acknowledged requests.
func TestForwardQueueFullDropOldest(t *testing.T) {
	bin := builtSightline(t)
	t.Parallel()
	up := newUpstream(t)
	agent := startFullAgent(t, bin, up, "drop-oldest")

	const requests = 80 // 40 MiB through a 16 MiB queue
	var acked []int
	for n := range requests {
		code, _, err := sendTraces(context.Background(), agent.addrs.HTTP, fwdRequest(n, 1, fullPad))
		if err != nil || code != http.StatusOK {
			t.Fatalf("request %d: %d %v, want 200 (drop-oldest refuses nothing)", n, code, err)
		}
		acked = append(acked, n)
	}
	st := mustStats(t, agent.addrs.UI)
	dropped := st.Forward.Dropped.Full.Records
	if dropped == 0 || st.Receiver.Traces.RefusedRequests["forward_queue_full"] != 0 || st.Forward.QueueBytes > 16<<20 {
		t.Fatalf("after %d MiB into a 16 MiB queue: %+v, refused %v", requests*fullPad>>20, st.Forward, st.Receiver.Traces.RefusedRequests)
	}

	up.start(t, bin)
	poll.Until(t, 40*time.Second, "the queue forwarded", func() bool {
		f := mustStats(t, agent.addrs.UI).Forward
		return f.QueueRecords == 0 && f.State == "idle"
	})
	got := upstreamTraces(t, up.c.addrs.UI)
	var missing []int
	for _, n := range acked {
		if got[fwdTraceID(n).String()] == 0 {
			missing = append(missing, n)
		}
	}
	f := mustStats(t, agent.addrs.UI).Forward
	if int64(len(missing)) != f.Dropped.Full.Records || f.Dropped.Full.Records != dropped {
		t.Errorf("%d acknowledged requests (one span each) missing upstream, %d arrived; /api/stats counts %d dropped (%d before the upstream came back)",
			len(missing), len(got), f.Dropped.Full.Records, dropped)
	}
	for i, n := range missing {
		if n != i {
			t.Errorf("missing upstream: %v; want the oldest, 0 to %d", missing, len(missing)-1)
			break
		}
	}
	t.Logf("drop-oldest: %d requests acknowledged, %d arrived, %d dropped (%s)", len(acked), len(got), f.Dropped.Full.Records,
		fmt.Sprintf("%.1f MiB", float64(f.Dropped.Full.Bytes)/(1<<20)))
}
