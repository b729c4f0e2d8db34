package main

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// emptyAttributes is a trace request of one span with n empty attributes,
// 2 bytes each on the wire and about 210 bytes each once pdata decodes
// them: a request cheap to send and dear to decode.
func emptyAttributes(n int) []byte {
	span := protowire.AppendBytes(protowire.AppendTag(nil, 5, protowire.BytesType), []byte("cheap")) // name
	for range n {
		span = append(span, 0x4a, 0x00) // attributes (9), an empty KeyValue
	}
	scope := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), span)     // ScopeSpans.spans
	resource := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), scope) // ResourceSpans.scope_spans
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), resource)   // request.resource_spans
}

// TestServeCheapRequestMemoryBound: requests that are small on the wire but
// make pdata allocate a hundred times their size no longer decode past the
// memory bound. 64 gRPC clients and 16 HTTP clients each send, at once, 1 MB
// of empty attributes (about 110 MB once decoded: over 7 GB in all before
// the receiver estimated the cost before decoding), then 15 MB of them
// (about 1.6 GB each: refused as too large when read, never decoded). Every
// request is stored, refused with a retry delay, or refused as too large,
// and serve's peak RSS stays under memoryFloodBound.
func TestServeCheapRequestMemoryBound(t *testing.T) {
	c := startMemoryChild(t)
	const grpcClients, httpClients = 64, 16
	conns := make([]*grpc.ClientConn, grpcClients)
	for i := range conns {
		conn, err := grpc.NewClient(c.addrs.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Connect()
		conns[i] = conn
	}
	for _, tc := range []struct {
		name     string
		attrs    int
		tooLarge bool
	}{
		{"1 MB each", 500_000, false},
		{"15 MB each", 7_500_000, true},
	} {
		body := emptyAttributes(tc.attrs)
		var (
			wg                          sync.WaitGroup
			mu                          sync.Mutex
			stored, throttled, tooLarge int
		)
		count := func(ok, retry, large bool, what string, err error) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case ok:
				stored++
			case retry:
				throttled++
			case large:
				tooLarge++
			default:
				t.Errorf("%s: %s: %v", tc.name, what, err)
			}
		}
		start := make(chan struct{})
		for _, conn := range conns {
			wg.Go(func() {
				<-start
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				var out struct{}
				err := conn.Invoke(ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
					mem.BufferSlice{mem.SliceBuffer(body)}, &out, grpc.ForceCodecV2(partsCodec{}))
				st := grpcstatus.Convert(err)
				count(err == nil, st.Code() == codes.ResourceExhausted && retryDelay(st) > 0,
					st.Code() == codes.ResourceExhausted && retryDelay(st) == 0, "gRPC", err)
			})
		}
		for range httpClients {
			wg.Go(func() {
				<-start
				status, retryAfter, answer, err := postBody("http://"+c.addrs.HTTP+"/v1/traces", "application/x-protobuf",
					bytes.NewReader(body), int64(len(body)))
				count(err == nil && status == http.StatusOK, err == nil && status == http.StatusTooManyRequests && retryAfter != "",
					err == nil && status == http.StatusRequestEntityTooLarge, "HTTP "+answer, err)
			})
		}
		close(start)
		wg.Wait()
		hwm := procStatus(t, c.cmd.Process.Pid, "VmHWM")
		t.Logf("%s: %d stored, %d refused for memory, %d too large; peak RSS %.0f MiB", tc.name, stored, throttled, tooLarge, float64(hwm)/(1<<20))
		// Too large to decode, whenever they are read: those that could not
		// even be read at once are refused for memory, to be retried.
		if tc.tooLarge && (stored != 0 || tooLarge == 0) {
			t.Errorf("%s: %d stored, %d refused as too large: want none stored and some too large", tc.name, stored, tooLarge)
		}
		if !tc.tooLarge && (stored == 0 || tooLarge != 0) {
			t.Errorf("%s: %d stored, %d too large: want some stored and none too large", tc.name, stored, tooLarge)
		}
		if hwm > memoryFloodBound {
			t.Errorf("%s: peak RSS %d MiB, over the bound of %d MiB", tc.name, hwm>>20, memoryFloodBound>>20)
		}
	}
	var stats serve.Stats
	poll.Until(t, time.Minute, "the bytes in flight to return to 0", func() bool {
		servetest.GetJSON(t, c.addrs.UI, "/api/stats", 200, &stats)
		return stats.Receiver.InFlightBytes == 0
	})
}
