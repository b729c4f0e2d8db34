package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/spangen"
)

const (
	oversizeBytes = 17 << 20 // over serve's default 16 MiB request limit
	deepLevels    = 500_000  // a JSON value nested this deep still fits in 16 MiB
	wideAttrs     = 100_000
	burstRequests = 64
	burstSpanSize = 15 << 20
	methodTraces  = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
)

// hostile runs the workers that try to crash or exhaust the server.
type hostile struct {
	srv      *serveproc.Server
	t        *tally
	acked    *ledger
	c        config
	conn     *grpc.ClientConn
	wideID   atomic.Value // string: the last wide trace acknowledged
	deepJSON []byte
	bomb     []byte
	big      []byte
}

func newHostile(srv *serveproc.Server, t *tally, acked *ledger, c config) *hostile {
	h := &hostile{srv: srv, t: t, acked: acked, c: c}
	h.deepJSON = deepJSONBody(deepLevels)
	h.bomb = gzipBomb(1 << 30)
	h.big = make([]byte, oversizeBytes)
	_, _ = rand.Read(h.big)
	return h
}

// start launches every worker; they stop when ctx ends.
func (h *hostile) start(ctx context.Context, wg *sync.WaitGroup) {
	conn, err := grpc.NewClient(h.srv.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		h.t.add("grpc", "dial error")
		return
	}
	h.conn = conn
	context.AfterFunc(ctx, func() { _ = conn.Close() })
	loops := []struct {
		name  string
		every time.Duration
		f     func(context.Context) string
	}{
		{"malformed-http", 50 * time.Millisecond, h.malformedHTTP},
		{"malformed-grpc", 100 * time.Millisecond, h.malformedGRPC},
		{"oversize-http", 2 * time.Second, h.oversizeHTTP},
		{"gzip-bomb", 2 * time.Second, h.gzipBombHTTP},
		{"oversize-grpc", 2 * time.Second, h.oversizeGRPC},
		{"deep-json", 2 * time.Second, h.deepJSONHTTP},
		{"deep-proto", time.Second, h.deepProto},
		{"wide", 5 * time.Second, h.wide},
		{"query-cancel", time.Second, h.queryCancel},
		{"burst-grpc", h.c.burstEvery, h.burst},
	}
	for _, l := range loops {
		wg.Go(func() {
			t := time.NewTicker(l.every)
			defer t.Stop()
			for {
				h.t.add(l.name, l.f(ctx))
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	for i := range h.c.slowClients {
		wg.Go(func() { h.slowClient(ctx, i%4 == 0) })
	}
}

func (h *hostile) postHTTP(ctx context.Context, ct, ce string, body []byte) string {
	code, _, _, err := post(ctx, "http://"+h.srv.HTTP+"/v1/traces", ct, ce, bytes.NewReader(body))
	if err != nil {
		if ctx.Err() != nil {
			return "stopped"
		}
		return "transport error"
	}
	return strconv.Itoa(code)
}

var malformedN atomic.Uint64

func (h *hostile) malformedHTTP(ctx context.Context) string {
	junk := make([]byte, 4096)
	_, _ = rand.Read(junk)
	valid, _ := ptraceotlp.NewExportRequestFromTraces(validTraces(spangen.New(tracesPerRequest, spansPerTrace, nil))).MarshalProto()
	switch malformedN.Add(1) % 5 {
	case 0:
		return "junk proto " + h.postHTTP(ctx, "application/x-protobuf", "", junk)
	case 1:
		return "truncated proto " + h.postHTTP(ctx, "application/x-protobuf", "", valid[:len(valid)/2])
	case 2:
		return "bad json " + h.postHTTP(ctx, "application/json", "", []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":7`))
	case 3:
		return "wrong type " + h.postHTTP(ctx, "text/plain", "", valid)
	default:
		return "junk gzip " + h.postHTTP(ctx, "application/x-protobuf", "gzip", junk)
	}
}

// rawCodec sends bytes as they are, to put junk on the gRPC wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(b []byte, v any) error {
	*v.(*[]byte) = append((*v.(*[]byte))[:0], b...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func (h *hostile) invokeRaw(ctx context.Context, msg []byte) string {
	var out []byte
	err := h.conn.Invoke(ctx, methodTraces, &msg, &out, grpc.ForceCodec(rawCodec{}))
	if ctx.Err() != nil {
		return "stopped"
	}
	return status.Code(err).String()
}

func (h *hostile) malformedGRPC(ctx context.Context) string {
	junk := make([]byte, 4096)
	_, _ = rand.Read(junk)
	return "junk " + h.invokeRaw(ctx, junk)
}

func (h *hostile) oversizeHTTP(ctx context.Context) string {
	return h.postHTTP(ctx, "application/x-protobuf", "", h.big)
}

func (h *hostile) gzipBombHTTP(ctx context.Context) string {
	return h.postHTTP(ctx, "application/x-protobuf", "gzip", h.bomb)
}

func (h *hostile) oversizeGRPC(ctx context.Context) string { return h.invokeRaw(ctx, h.big) }

func (h *hostile) deepJSONHTTP(ctx context.Context) string {
	return h.postHTTP(ctx, "application/json", "", h.deepJSON)
}

func (h *hostile) deepProto(ctx context.Context) string {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(newTraceID())
	sp.SetSpanID(newSpanID())
	v := sp.Attributes().PutEmpty("deep")
	for range 300 {
		v = v.SetEmptySlice().AppendEmpty()
	}
	v.SetStr("bottom")
	b, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	return h.invokeRaw(ctx, b)
}

// wide sends one span with 100,000 attributes: valid, so it must be
// stored (within the store's limits) like any other.
func (h *hostile) wide(ctx context.Context) string {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "wide")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	tid := newTraceID()
	sp.SetTraceID(tid)
	sp.SetSpanID(newSpanID())
	sp.SetName("wide")
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	attrs := sp.Attributes()
	attrs.EnsureCapacity(wideAttrs)
	for i := range wideAttrs {
		// PutStr would scan the map for each key: build it in order.
		attrs.PutStr("k"+strconv.Itoa(i), "v")
	}
	body, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	out := h.postHTTP(rctx, "application/x-protobuf", "", body)
	if out == "200" {
		h.acked.ack(td)
		h.wideID.Store(tid.String())
	}
	return out
}

// queryCancel asks for the last wide trace as OTLP and goes away after
// 50 ms, then asks for it in full every tenth time.
var queryN atomic.Uint64

func (h *hostile) queryCancel(ctx context.Context) string {
	id, _ := h.wideID.Load().(string)
	if id == "" {
		return "no wide trace yet"
	}
	n := queryN.Add(1)
	wait := 50 * time.Millisecond
	if n%10 == 0 {
		wait = 30 * time.Second
	}
	qctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	path := []string{"/api/v1/traces/" + id + "/otlp", "/api/traces/" + id}[n%2]
	req, _ := http.NewRequestWithContext(qctx, http.MethodGet, h.srv.UI+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "canceled"
	}
	defer func() { _ = resp.Body.Close() }()
	buf := make([]byte, 64<<10)
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			if qctx.Err() != nil {
				return "canceled while reading"
			}
			return "read " + strconv.Itoa(resp.StatusCode)
		}
	}
}

// burst sends 64 concurrent gRPC requests of one 15 MB span each; what is
// acknowledged must be stored, what is refused must say when to retry.
func (h *hostile) burst(ctx context.Context) string {
	client := ptraceotlp.NewGRPCClient(h.conn)
	huge := strings.Repeat("x", burstSpanSize)
	var wg sync.WaitGroup
	var ok, refused, other atomic.Int64
	for range burstRequests {
		wg.Go(func() {
			td := ptrace.NewTraces()
			sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			sp.SetTraceID(newTraceID())
			sp.SetSpanID(newSpanID())
			sp.SetName("huge")
			sp.Attributes().PutStr("payload", huge)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			_, err := client.Export(rctx, ptraceotlp.NewExportRequestFromTraces(td))
			switch st := status.Convert(err); {
			case err == nil:
				h.acked.ack(td)
				ok.Add(1)
			case st.Code().String() == "ResourceExhausted" && retryDelay(st) > 0:
				refused.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	wg.Wait()
	return fmt.Sprintf("burst: %d acknowledged, %d refused with a retry delay, %d other", ok.Load(), refused.Load(), other.Load())
}

// slowClient holds a connection that trickles a POST's headers (header)
// or its body one byte a second, until the server closes it.
func (h *hostile) slowClient(ctx context.Context, header bool) {
	name := "slow-body"
	if header {
		name = "slow-header"
	}
	for ctx.Err() == nil {
		start := time.Now()
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", h.srv.HTTP)
		if err != nil {
			h.t.add(name, "dial error")
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		stop := context.AfterFunc(ctx, func() { _ = c.Close() })
		head := "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1048576\r\n\r\n"
		trickle := []byte(head)
		if !header {
			if _, err := c.Write(trickle); err != nil {
				h.t.add(name, "closed by server at once")
			}
			trickle = bytes.Repeat([]byte{0x0a}, 1<<20)
		}
		for _, b := range trickle {
			if _, err := c.Write([]byte{b}); err != nil {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
				continue
			}
			break
		}
		stop()
		_ = c.Close()
		if ctx.Err() == nil {
			h.t.add(name, "closed by server after "+time.Since(start).Round(5*time.Second).String())
		}
	}
}

// deepJSONBody is an OTLP/JSON request with one attribute whose value
// nests arrayValue levels deep.
func deepJSONBody(levels int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"deep","attributes":[{"key":"d","value":`)
	for range levels {
		b.WriteString(`{"arrayValue":{"values":[`)
	}
	b.WriteString(`{"stringValue":"x"}`)
	for range levels {
		b.WriteString(`]}}`)
	}
	b.WriteString(`}]}]}]}]}`)
	return b.Bytes()
}

// gzipBomb is n zero bytes, gzipped (about n/1000 bytes).
func gzipBomb(n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range n / len(zero) {
		_, _ = zw.Write(zero)
	}
	_ = zw.Close()
	return b.Bytes()
}
