package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/spangen"
)

// The announcement load (-announce RATE): while the senders push spans, an
// announcer keeps RATE x 10 spans open (traces of 10, like long scans) and
// sends one heartbeat per second for a tenth of them, each span heard
// every 10 s as the emitter does by default: every 100 ms a request of
// RATE/10 heartbeat records (partial.event heartbeat, partial.frequency
// 10000ms, a json/v1 body of the span with 8 attributes, one of which
// changes each time). Each tick's request is sent on time, in its own
// goroutine, as independent emitters would send them; at most
// maxOutstanding may wait for their answer, and a tick past that is
// counted as behind (serve not keeping up). The time each request takes
// to be acknowledged (serve acknowledges once the store has committed
// it) is the lag of the announcements.

// announceTick is how often the announcer sends.
const announceTick = 100 * time.Millisecond

// maxOutstanding bounds the announcer's requests waiting for an answer.
const maxOutstanding = 32

// announceBase numbers the announced traces, far from the load's and the
// big traces'.
const announceBase = 1 << 61

// announceResult is what one phase's announcer did.
type announceResult struct {
	records   int64           // heartbeats acknowledged
	requests  int64           // requests acknowledged
	errors    int64           // requests refused or failed
	behind    int64           // ticks skipped: maxOutstanding requests were waiting
	latencies []time.Duration // of the acknowledged requests
	lastTrace pcommon.TraceID // a trace announced in the last request
	lastSent  time.Time       // when the last acknowledged request was sent
}

// announcer sends heartbeats of phase's open spans at rate per second
// until stop is closed.
type announcer struct {
	rate, phase int
	send        func(plog.Logs) error
}

func (a *announcer) run(stop <-chan struct{}) announceResult {
	var res announceResult
	var mu sync.Mutex // guards res
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, maxOutstanding)
	open := a.rate * 10
	perTick := max(a.rate/10, 1)
	t := time.NewTicker(announceTick)
	defer t.Stop()
	next := 0
	for beat := 0; ; beat++ {
		select {
		case <-stop:
			wg.Wait()
			return res
		case <-t.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			mu.Lock()
			res.behind++
			mu.Unlock()
			continue
		}
		ld := plog.NewLogs()
		var last pcommon.TraceID
		for range perTick {
			last = a.heartbeat(ld, next%open, beat)
			next++
		}
		wg.Go(func() {
			defer func() { <-slots }()
			sent := time.Now()
			err := a.send(ld)
			took := time.Since(sent)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				return
			}
			res.latencies = append(res.latencies, took)
			res.records += int64(perTick)
			res.requests++
			if sent.After(res.lastSent) {
				res.lastTrace, res.lastSent = last, sent
			}
		})
	}
}

// heartbeat adds to ld a heartbeat of open span i (span i%10 of trace
// i/10 of the phase's) and returns its trace id.
func (a *announcer) heartbeat(ld plog.Logs, i, beat int) pcommon.TraceID {
	tid := spangen.TraceID(announceBase + uint64(a.phase)<<32 + uint64(i/10))
	sid := spangen.SpanID(announceBase + uint64(a.phase)<<32 + uint64(i))
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "beamline")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("github.com/sightline-dev/sightline/plan")
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	if i%10 != 0 {
		sp.SetParentSpanID(spangen.SpanID(announceBase + uint64(a.phase)<<32 + uint64(i/10*10)))
	}
	sp.SetName("scan step")
	sp.SetKind(ptrace.SpanKindInternal)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now().Add(-time.Minute)))
	at := sp.Attributes()
	at.PutStr("plan.name", "grid_scan")
	at.PutInt("plan.step", int64(beat))
	at.PutStr("motor", "bl12/motor/"+strconv.Itoa(i%8))
	at.PutDouble("motor.target", float64(i)/7)
	at.PutBool("detector.armed", true)
	at.PutStr("run.uid", fmt.Sprintf("run-%06d", i/10))
	at.PutInt("points", 1000)
	at.PutStr("operator", "bench")
	body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td) // valid pdata: cannot fail

	rl := ld.ResourceLogs().AppendEmpty()
	rs.Resource().CopyTo(rl.Resource())
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.SetTraceID(tid)
	lr.SetSpanID(sid)
	lr.Attributes().PutStr("partial.event", "heartbeat")
	lr.Attributes().PutStr("partial.frequency", "10000ms")
	lr.Attributes().PutStr("partial.body.type", "json/v1")
	lr.Body().SetStr(string(body))
	return tid
}

// newLogSender returns a function that sends logs and fails unless they
// are acknowledged whole.
func newLogSender(protocol string, srv *serveproc.Server) (func(plog.Logs) error, func(), error) {
	check := func(r plogotlp.ExportResponse) error {
		if n := r.PartialSuccess().RejectedLogRecords(); n != 0 {
			return fmt.Errorf("%d records rejected: %s", n, r.PartialSuccess().ErrorMessage())
		}
		return nil
	}
	if protocol == "grpc" {
		conn, err := grpc.NewClient(srv.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, nil, err
		}
		client := plogotlp.NewGRPCClient(conn)
		return func(ld plog.Logs) error {
			r, err := client.Export(context.Background(), plogotlp.NewExportRequestFromLogs(ld))
			if err != nil {
				return err
			}
			return check(r)
		}, func() { _ = conn.Close() }, nil
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	url := "http://" + srv.HTTP + "/v1/logs"
	return func(ld plog.Logs) error {
		body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		if err != nil {
			return err
		}
		resp, err := client.Post(url, "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s", resp.Status)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(resp.Body); err != nil {
			return err
		}
		r := plogotlp.NewExportResponse()
		if err := r.UnmarshalProto(buf.Bytes()); err != nil {
			return err
		}
		return check(r)
	}, client.CloseIdleConnections, nil
}

// startAnnouncer runs an announcer in a goroutine; wait returns its result.
func startAnnouncer(a *announcer, stop <-chan struct{}) (wait func() announceResult) {
	var res announceResult
	var wg sync.WaitGroup
	wg.Go(func() { res = a.run(stop) })
	return func() announceResult {
		wg.Wait()
		return res
	}
}

// report prints an announcer's result over elapsed, and how long ago the
// latest heartbeat of its last trace was heard, as the query API says.
func (r announceResult) report(elapsed time.Duration, ui string) {
	if len(r.latencies) == 0 {
		fmt.Printf("announcements: none acknowledged (%d requests failed)\n", r.errors)
		return
	}
	l := slices.Clone(r.latencies)
	slices.Sort(l)
	q := func(p float64) time.Duration {
		return l[min(len(l)-1, int(p*float64(len(l))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("announcements: %d heartbeats acknowledged in %d requests (%d failed, %d ticks behind): %.0f/s; ack latency p50 %v, p99 %v, max %v\n",
		r.records, r.requests, r.errors, r.behind, float64(r.records)/elapsed.Seconds(), q(0.5), q(0.99), l[len(l)-1].Round(100*time.Microsecond))
	var page struct {
		Summary struct {
			LastHeard int64 `json:"last_heard_unix_nano"`
			Open      int   `json:"open_spans"`
		} `json:"summary"`
	}
	resp, err := http.Get(ui + "/api/v1/traces/" + r.lastTrace.String() + "?limit=1")
	if err != nil {
		fmt.Printf("announcements: query API: %v\n", err)
		return
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		fmt.Printf("announcements: query API: %v\n", err)
		return
	}
	heard := time.Unix(0, page.Summary.LastHeard)
	fmt.Printf("announcements: the last request's trace, read back: %d open spans, last heard %v after that request was sent\n",
		page.Summary.Open, heard.Sub(r.lastSent).Round(100*time.Microsecond))
}

// quantile returns the p-quantile function of sorted latencies (not
// empty), rounded to 0.1 ms.
func quantile(sorted []time.Duration) func(p float64) time.Duration {
	return func(p float64) time.Duration {
		return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))].Round(100 * time.Microsecond)
	}
}
