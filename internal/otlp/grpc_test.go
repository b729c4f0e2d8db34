package otlp

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
)

// rawCodec sends and receives raw bytes, to put any payload on the wire.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*(v.(*[]byte)) = data.Materialize()
	return nil
}

// invokeRaw sends payload as the request of method.
func invokeRaw(ctx context.Context, conn *grpc.ClientConn, method string, payload []byte) error {
	var out []byte
	return conn.Invoke(ctx, method, payload, &out, grpc.ForceCodecV2(rawCodec{}))
}

// TestGRPCRefusals checks the codes, messages and counters of requests that
// the gRPC side refuses before the sink.
func TestGRPCRefusals(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 64 << 10
	r, ends := startReceiverEnds(t, cfg, newFakeSink())
	conn := dial(t, r)
	ctx := context.Background()

	tests := []struct {
		name     string
		method   string
		payload  []byte
		logs     bool
		wantCode codes.Code
		wantMsg  string
		reason   reason
	}{
		{"malformed traces", methodTraces, []byte("\xff\xff\xff\xff"), false, codes.InvalidArgument, "decode traces protobuf: ", reasonMalformed},
		{"truncated logs", methodLogs, logsProto(t, 3)[:20], true, codes.InvalidArgument, "decode logs protobuf: ", reasonMalformed},
		{"oversize traces", methodTraces, make([]byte, 100<<10), false, codes.ResourceExhausted, "larger than max", reasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Stats()
			err := invokeRaw(ctx, conn, tt.method, tt.payload)
			waitEnd(t, ends)
			st := status.Convert(err)
			if st.Code() != tt.wantCode || !strings.Contains(st.Message(), tt.wantMsg) {
				t.Fatalf("status %v %q, want %v containing %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			for _, d := range st.Details() {
				if _, ok := d.(*errdetails.RetryInfo); ok {
					t.Errorf("RetryInfo on a permanent error")
				}
			}
			after := r.Stats()
			b, a := before.Traces, after.Traces
			if tt.logs {
				b, a = before.Logs, after.Logs
			}
			if got := reasonCount(a.RefusedRequests, tt.reason) - reasonCount(b.RefusedRequests, tt.reason); got != 1 {
				t.Errorf("refused %s +%d, want +1 (stats %+v)", tt.reason, got, a)
			}
			if got := a.Requests.GRPC - b.Requests.GRPC; got != 1 {
				t.Errorf("gRPC requests +%d, want +1", got)
			}
		})
	}

	t.Run("metrics", func(t *testing.T) {
		md := pmetric.NewMetrics()
		md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetName("m")
		_, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md))
		waitEnd(t, ends)
		st := status.Convert(err)
		if st.Code() != codes.Unimplemented || !strings.Contains(st.Message(), "does not accept metrics") {
			t.Fatalf("status %v %q, want Unimplemented saying metrics are not accepted", st.Code(), st.Message())
		}
		if got := r.Stats().Metrics.Requests.GRPC; got != 1 {
			t.Errorf("metrics gRPC requests %d, want 1", got)
		}
	})
}

// TestPartialSuccess: the sink rejects 2 items; both transports carry the
// count and message back, and the counters split stored from rejected.
func TestPartialSuccess(t *testing.T) {
	sink := newFakeSink()
	sink.set(sinkBehavior{reject: 2, message: "2 spans are too old"})
	r := startReceiver(t, testConfig(), sink)
	conn := dial(t, r)
	ctx := context.Background()

	t.Run("grpc traces", func(t *testing.T) {
		resp, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(sampleTraces(5)))
		if err != nil {
			t.Fatal(err)
		}
		if ps := resp.PartialSuccess(); ps.RejectedSpans() != 2 || ps.ErrorMessage() != "2 spans are too old" {
			t.Errorf("partial success %d %q", ps.RejectedSpans(), ps.ErrorMessage())
		}
	})
	t.Run("grpc logs", func(t *testing.T) {
		resp, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(sampleLogs(3)))
		if err != nil {
			t.Fatal(err)
		}
		if ps := resp.PartialSuccess(); ps.RejectedLogRecords() != 2 || ps.ErrorMessage() != "2 spans are too old" {
			t.Errorf("partial success %d %q", ps.RejectedLogRecords(), ps.ErrorMessage())
		}
	})
	for _, ct := range []string{contentTypeProto, contentTypeJSON} {
		t.Run("http traces "+ct, func(t *testing.T) {
			body := tracesProto(t, 5)
			if ct == contentTypeJSON {
				body = tracesJSON(t, 5)
			}
			res := post(t, r, pathTraces, ct, "", strings.NewReader(string(body)))
			if res.status != 200 || res.header.Get("Content-Type") != ct {
				t.Fatalf("status %d Content-Type %q, want 200 %s", res.status, res.header.Get("Content-Type"), ct)
			}
			resp := ptraceotlp.NewExportResponse()
			if err := decode(resp, res.body, responseEncoding(ct)); err != nil {
				t.Fatal(err)
			}
			if ps := resp.PartialSuccess(); ps.RejectedSpans() != 2 || ps.ErrorMessage() != "2 spans are too old" {
				t.Errorf("partial success %d %q", ps.RejectedSpans(), ps.ErrorMessage())
			}
			if ct == contentTypeJSON && !strings.Contains(string(res.body), `"rejectedSpans":"2"`) {
				t.Errorf("JSON response %s lacks rejectedSpans", res.body)
			}
		})
	}
	t.Run("http logs", func(t *testing.T) {
		res := post(t, r, pathLogs, contentTypeProto, "", strings.NewReader(string(logsProto(t, 4))))
		resp := plogotlp.NewExportResponse()
		if err := decode(resp, res.body, encodingProto); err != nil {
			t.Fatal(err)
		}
		if ps := resp.PartialSuccess(); res.status != 200 || ps.RejectedLogRecords() != 2 {
			t.Errorf("status %d, rejected %d; want 200, 2", res.status, ps.RejectedLogRecords())
		}
	})

	st := r.Stats()
	if st.Traces.ReceivedItems != 15 || st.Traces.StoredItems != 9 || st.Traces.RejectedItems != 6 {
		t.Errorf("traces stats %+v, want 15 received, 9 stored, 6 rejected", st.Traces)
	}
	if st.Logs.ReceivedItems != 7 || st.Logs.StoredItems != 3 || st.Logs.RejectedItems != 4 {
		t.Errorf("logs stats %+v, want 7 received, 3 stored, 4 rejected", st.Logs)
	}
	if st.Traces.Requests != (Transports{GRPC: 1, HTTP: 2}) || st.Logs.Requests != (Transports{GRPC: 1, HTTP: 1}) {
		t.Errorf("requests traces %+v logs %+v", st.Traces.Requests, st.Logs.Requests)
	}
}

// TestGRPCTwoMessages: a message followed by a second one on the unary call
// fails before the interceptor; the outcome the codec filed (a decode error,
// or a decoded request and its reserved bytes) must not stay behind.
func TestGRPCTwoMessages(t *testing.T) {
	r, ends := startReceiverEnds(t, testConfig(), newFakeSink())
	conn := dial(t, r)
	desc := &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}
	valid, err := ptraceotlp.NewExportRequestFromTraces(sampleTraces(3)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range [][]byte{[]byte("\xff\xff\xff\xff"), valid, []byte("\xff\xff\xff\xff")} {
		stream, err := conn.NewStream(context.Background(), desc, methodTraces, grpc.ForceCodecV2(rawCodec{}))
		if err != nil {
			t.Fatal(err)
		}
		_ = stream.SendMsg(msg)
		_ = stream.SendMsg(msg)
		_ = stream.CloseSend()
		var out []byte
		err = stream.RecvMsg(&out)
		if st := status.Convert(err); st.Code() != codes.Internal && st.Code() != codes.InvalidArgument {
			t.Errorf("two messages: %v %q", st.Code(), st.Message())
		}
		waitEnd(t, ends)
	}
	left := 0
	r.decoded.m.Range(func(any, any) bool { left++; return true })
	if left != 0 {
		t.Errorf("%d decode outcomes left behind", left)
	}
	if held := r.admission.inFlightBytes(); held != 0 {
		t.Errorf("%d bytes still reserved", held)
	}
	if s := r.Stats().Traces; s.RefusedRequests.Malformed != 3 || s.Requests.GRPC != 3 {
		t.Errorf("stats %+v, want 3 malformed gRPC requests", s)
	}
}
