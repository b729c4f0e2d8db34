package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

// fwdOutage is how long the upstream is away in TestForwardOutage: 15 s,
// or SIGHTLINE_TEST_OUTAGE (such as 60s) for figures of a longer one.
func fwdOutage(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("SIGHTLINE_TEST_OUTAGE")
	if v == "" {
		return 15 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("SIGHTLINE_TEST_OUTAGE=%q: want a duration such as 60s", v)
	}
	return d
}

// TestForwardOutage: an agent (`serve --forward http://UPSTREAM`) under a
// steady load of 250 spans/s keeps acknowledging while its upstream
// `sightline serve` is stopped for an outage and started again on the same
// ports and data directory; then the upstream holds every acknowledged
// span, the agent's queue drains and its lag returns to 0, it retried and
// dropped nothing. Header values are never shown.
func TestForwardOutage(t *testing.T) {
	bin := builtSightline(t)
	t.Parallel()
	outage := fwdOutage(t)
	up := newUpstream(t)
	up.start(t, bin)
	agent := startChild(t, bin, "--data", t.TempDir(), "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0",
		"--forward", "http://"+up.http, "--forward-header", "authorization="+fwdSecret)
	if !strings.Contains(agent.stdout.String(), "sightline serve: forward http://"+up.http+" (queue 2GiB at ") {
		t.Errorf("no forward start line:\n%s", agent.stdout.String())
	}

	const spans = 5
	s := startSender(agent.addrs.HTTP, spans, 0, 20*time.Millisecond)
	mon := startMonitor(agent.addrs.UI)
	poll.Until(t, 20*time.Second, "spans forwarded upstream", func() bool { return mustStats(t, up.c.addrs.UI).Store.Spans > 0 })

	up.stop(t)
	outageAt := time.Now()
	poll.Until(t, 20*time.Second, "the agent retrying", func() bool {
		st := mustStats(t, agent.addrs.UI).Forward
		return st.Retries > 0 && !st.Connected && st.QueueRecords > 0
	})
	time.Sleep(time.Until(outageAt.Add(outage))) // the outage, under load
	up.start(t, bin)
	back := time.Now()
	// Under load requests arrive all the time: the queue empties for a
	// moment once the backlog is gone.
	poll.Until(t, 90*time.Second, "the agent's queue drained", func() bool {
		st := mustStats(t, agent.addrs.UI).Forward
		return st.QueueRecords == 0 && st.Lag == 0
	})
	drain := time.Since(back)
	acked := s.stopSending()
	poll.Until(t, 30*time.Second, "every acknowledged span upstream", func() bool {
		st := mustStats(t, agent.addrs.UI).Forward
		return st.QueueRecords == 0 && mustStats(t, up.c.addrs.UI).Store.Spans >= int64(len(acked)*spans)
	})
	maxLag := mon.end()

	arrived := checkArrived(t, up.c.addrs.UI, acked, spans)
	st, body, err := apiStats(agent.addrs.UI)
	if err != nil {
		t.Fatal(err)
	}
	f := st.Forward
	if f.Retries == 0 || f.Lag != 0 || f.Dropped.Full.Records != 0 || f.Dropped.Rejected.Records != 0 || f.QueueRecords != 0 {
		t.Errorf("agent's forward stats after the outage: %+v", f)
	}
	if maxLag < outage/2 {
		t.Errorf("largest lag seen %v, during an outage of %v", maxLag, outage)
	}
	upStored := up.storedBefore + mustStats(t, up.c.addrs.UI).Receiver.Traces.StoredItems
	s.mu.Lock()
	t.Logf("outage %v at %d spans/s: %d requests (%d spans) acknowledged, %d spans arrived (distinct), %d duplicates; "+
		"time to drain after the upstream came back %v, largest lag %v; %d retries, %d requests forwarded; sender saw %v and %d failures",
		outage, spans*50, len(acked), len(acked)*spans, arrived, upStored-int64(arrived), drain.Round(time.Millisecond),
		maxLag.Round(time.Millisecond), f.Retries, f.ForwardedRecords, s.status, s.errs)
	s.mu.Unlock()

	stopChild(t, agent)
	out := agent.stdout.String()
	if !strings.Contains(out, "forward: ") || !strings.Contains(out, "requests forwarded, ") {
		t.Errorf("no forward counters in the agent's stats lines:\n%s", out)
	}
	if strings.Contains(out, "s3cret") || strings.Contains(body, "s3cret") {
		t.Errorf("a header value is shown:\n%s\n%s", out, body)
	}
}

// TestForwardAgentKilled: an agent killed with SIGKILL during an upstream
// outage, while a sender is sending, and started again on the same data
// directory forwards every request it acknowledged once the upstream is
// back.
func TestForwardAgentKilled(t *testing.T) {
	bin := builtSightline(t)
	t.Parallel()
	up := newUpstream(t)
	up.start(t, bin)
	dir := t.TempDir()
	args := []string{"--data", dir, "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--forward", "http://" + up.http}
	agent := startChild(t, bin, args...)

	const spans = 5
	s := startSender(agent.addrs.HTTP, spans, 0, 20*time.Millisecond)
	poll.Until(t, 20*time.Second, "spans forwarded upstream", func() bool { return mustStats(t, up.c.addrs.UI).Store.Spans > 0 })
	up.stop(t)
	poll.Until(t, 20*time.Second, "requests queued during the outage", func() bool {
		return mustStats(t, agent.addrs.UI).Forward.QueueRecords >= 100
	})
	kill(t, agent) // while the sender sends
	acked := s.stopSending()

	agent2 := startChild(t, bin, args...)
	up.start(t, bin)
	poll.Until(t, 40*time.Second, "every acknowledged span upstream", func() bool {
		return mustStats(t, agent2.addrs.UI).Forward.QueueRecords == 0 && mustStats(t, up.c.addrs.UI).Store.Spans >= int64(len(acked)*spans)
	})
	arrived := checkArrived(t, up.c.addrs.UI, acked, spans)
	f := mustStats(t, agent2.addrs.UI).Forward
	t.Logf("%d requests (%d spans) acknowledged before the kill, %d spans arrived; after the restart: %d requests forwarded, torn tail %d bytes, corrupt %d bytes",
		len(acked), len(acked)*spans, arrived, f.ForwardedRecords, f.TruncatedBytes, f.CorruptBytes)
	if f.ForwardedRecords == 0 || f.CorruptBytes != 0 || f.Dropped.Full.Records != 0 {
		t.Errorf("restarted agent's forward stats: %+v", f)
	}
}
