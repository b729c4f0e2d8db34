package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store"
)

const (
	tracesPerRequest = 10
	spansPerTrace    = 10
)

// ids numbers the traces and spans of the whole run (internal/spangen
// makes their ids), from a random start so that two runs do not share
// ids.
var ids atomic.Uint64

func init() { ids.Store(rand.Uint64() >> 8) }

func newTraceID() pcommon.TraceID { return spangen.TraceID(ids.Add(1)) }

func newSpanID() pcommon.SpanID { return spangen.SpanID(ids.Add(1)) }

// ledger holds the traces the server acknowledged, with their span
// counts, to check against the store at the end.
type ledger struct {
	mu     sync.Mutex
	traces map[pcommon.TraceID]int
	spans  int64
}

func newLedger() *ledger { return &ledger{traces: map[pcommon.TraceID]int{}} }

// ack records the spans of td as acknowledged.
func (l *ledger) ack(td ptrace.Traces) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				l.traces[spans.At(k).TraceID()]++
				l.spans++
			}
		}
	}
}

func (l *ledger) counts() (traces int, spans int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.traces), l.spans
}

// verify opens the stopped server's store and checks that it holds every
// acknowledged trace with at least its acknowledged spans.
func (l *ledger) verify(ctx context.Context, dir string) (missing []string, checked int, err error) {
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		return nil, 0, fmt.Errorf("open the store to verify: %w", err)
	}
	defer func() { _ = st.Close(ctx) }()
	l.mu.Lock()
	defer l.mu.Unlock()
	for tid, n := range l.traces {
		id := tid.String()
		page, err := st.Trace(ctx, id, store.Page{Limit: 1})
		switch {
		case errors.Is(err, store.ErrNotFound):
			missing = append(missing, id+": not stored")
		case err != nil:
			return missing, checked, fmt.Errorf("trace %s: %w", id, err)
		case page.Summary.SpanCount < n:
			missing = append(missing, fmt.Sprintf("%s: %d spans stored, %d acknowledged", id, page.Summary.SpanCount, n))
		}
		checked++
	}
	return missing, checked, nil
}

// pacer hands out tokens at a steady rate to the valid senders.
type pacer struct{ c chan struct{} }

func newPacer(ctx context.Context, perSecond int) *pacer {
	p := &pacer{c: make(chan struct{})}
	go func() {
		t := time.NewTicker(time.Second / time.Duration(max(perSecond, 1)))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				close(p.c)
				return
			case <-t.C:
				select {
				case p.c <- struct{}{}:
				case <-ctx.Done():
				}
			}
		}
	}()
	return p
}

// validSender sends 100-span requests of 10 traces each, over one of the
// three encodings, and retries refusals that ask for it.
type validSender struct {
	name   string
	proto  int // 0 HTTP protobuf, 1 HTTP JSON, 2 gRPC
	srv    *serveproc.Server
	t      *tally
	acked  *ledger
	client ptraceotlp.GRPCClient
	conn   *grpc.ClientConn
}

func newValidSender(i int, srv *serveproc.Server, t *tally, acked *ledger) *validSender {
	s := &validSender{proto: i % 3, srv: srv, t: t, acked: acked}
	s.name = []string{"valid-http", "valid-json", "valid-grpc"}[s.proto]
	return s
}

func (s *validSender) run(ctx context.Context, p *pacer) {
	if s.proto == 2 {
		conn, err := grpc.NewClient(s.srv.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
		if err != nil {
			s.t.add(s.name, "dial error")
			return
		}
		defer func() { _ = conn.Close() }()
		s.conn, s.client = conn, ptraceotlp.NewGRPCClient(conn)
	}
	g := spangen.New(tracesPerRequest, spansPerTrace, rand.New(rand.NewPCG(rand.Uint64(), 1)))
	for range p.c {
		td := validTraces(g)
		for {
			retry, outcome := s.send(ctx, td)
			s.t.add(s.name, outcome)
			if retry == 0 || !sleep(ctx, retry) {
				break
			}
		}
	}
}

// sleep waits d and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// send exports td once; retry > 0 asks to send it again after that delay.
func (s *validSender) send(ctx context.Context, td ptrace.Traces) (retry time.Duration, outcome string) {
	// The request must finish even when the load stops, or an
	// acknowledgement could be lost on the way back.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if s.proto == 2 {
		resp, err := s.client.Export(rctx, ptraceotlp.NewExportRequestFromTraces(td))
		if err != nil {
			st := status.Convert(err)
			if st.Code() == codes.ResourceExhausted || st.Code() == codes.Unavailable {
				return retryDelay(st), "retry " + st.Code().String()
			}
			return 0, "refused " + st.Code().String()
		}
		if resp.PartialSuccess().RejectedSpans() > 0 {
			return 0, "partial rejection"
		}
		s.acked.ack(td)
		return 0, "acknowledged"
	}
	req := ptraceotlp.NewExportRequestFromTraces(td)
	var body []byte
	ct := "application/x-protobuf"
	if s.proto == 1 {
		body, _ = req.MarshalJSON()
		ct = "application/json"
	} else {
		body, _ = req.MarshalProto()
	}
	code, hdr, respBody, err := post(rctx, "http://"+s.srv.HTTP+"/v1/traces", ct, "", bytes.NewReader(body))
	switch {
	case err != nil:
		return 100 * time.Millisecond, "retry transport error"
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return retryAfter(hdr), "retry " + strconv.Itoa(code)
	case code != http.StatusOK:
		return 0, "refused " + strconv.Itoa(code)
	}
	resp := ptraceotlp.NewExportResponse()
	if s.proto == 1 {
		err = resp.UnmarshalJSON(respBody)
	} else {
		err = resp.UnmarshalProto(respBody)
	}
	if err != nil || resp.PartialSuccess().RejectedSpans() > 0 {
		return 0, "partial rejection"
	}
	s.acked.ack(td)
	return 0, "acknowledged"
}

// validTraces builds one request with g: 10 traces of 10 spans
// (internal/spangen's shape), numbered afresh for the run. The request is
// g's until its next call.
func validTraces(g *spangen.Generator) ptrace.Traces {
	return g.Next(ids.Add(tracesPerRequest)-tracesPerRequest+1, time.Now())
}

// post sends one OTLP/HTTP request and reads at most 1 MiB of the answer.
func post(ctx context.Context, url, contentType, contentEncoding string, body io.Reader) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, b, err
}

func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

func retryDelay(st *status.Status) time.Duration {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return time.Second
}
