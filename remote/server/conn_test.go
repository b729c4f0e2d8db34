package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/remote"
)

// request is a call from 127.0.0.1:4242 with the given pid header, in ctx.
func request(ctx context.Context, pid string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	r.RemoteAddr = "127.0.0.1:4242"
	r.Header.Set(remote.HeaderClientHost, "host-a")
	r.Header.Set(remote.HeaderClientProgram, "prog")
	r.Header.Set(remote.HeaderClientPID, pid)
	return r
}

func attrOf(kv []attribute.KeyValue, key string) (attribute.Value, bool) {
	for _, a := range kv {
		if string(a.Key) == key {
			return a.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestServerSpanOfCachesPerConnection: a connection's repeated call finds
// the span name and attributes its first call made, without allocating;
// another operation, other client headers or another connection get their
// own; malformed identity headers are refused, never cached.
func TestServerSpanOfCachesPerConnection(t *testing.T) {
	conn1 := withConn(context.Background(), nil)
	first, herr := serverSpanOf(request(conn1, "11"), "lab/calc/1", "Add", "Calc")
	if herr != nil {
		t.Fatal(herr)
	}
	if first.name != "Calc.Add" {
		t.Errorf("span name %q, want Calc.Add", first.name)
	}
	kv := first.attributes(nil)
	for key, want := range map[string]string{"rpc.system": "sightline.remote", "rpc.service": "lab/calc/1", "rpc.method": "Add",
		"device.name": "lab/calc/1", "device.class": "Calc", "client.address": "127.0.0.1", "client.port": "4242",
		"sightline.client.host": "host-a", "sightline.client.pid": "11", "sightline.client.program": "prog"} {
		if v, ok := attrOf(kv, key); !ok || v.String() != want {
			t.Errorf("%s = %q (present %v), want %q", key, v.String(), ok, want)
		}
	}
	if v, ok := attrOf(kv, "thread.id"); !ok || v.AsInt64() <= 0 {
		t.Errorf("thread.id = %v (present %v), want the serving goroutine's id", v.AsInt64(), ok)
	}
	if len(kv) != 11 || cap(kv) != len(kv) {
		t.Errorf("%d attributes (capacity %d), want 11, capacity 11", len(kv), cap(kv))
	}

	again := request(conn1, "11")
	if ss, _ := serverSpanOf(again, "lab/calc/1", "Add", "Calc"); ss != first {
		t.Error("the same call on the same connection made its span anew")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = serverSpanOf(again, "lab/calc/1", "Add", "Calc") }); n != 0 {
		t.Errorf("a repeated call allocates %v times, want 0", n)
	}

	for _, c := range []struct {
		name                    string
		ctx                     context.Context
		pid, dev, method, class string
	}{
		{"other pid", conn1, "12", "lab/calc/1", "Add", "Calc"},
		{"other device", conn1, "11", "lab/calc/2", "Add", "Calc"},
		{"other method", conn1, "11", "lab/calc/1", "Sub", "Calc"},
		{"other class", conn1, "11", "lab/calc/1", "Add", "DServer"},
		{"other connection", withConn(context.Background(), nil), "11", "lab/calc/1", "Add", "Calc"},
	} {
		ss, herr := serverSpanOf(request(c.ctx, c.pid), c.dev, c.method, c.class)
		if herr != nil || ss == first {
			t.Errorf("%s: got the first call's span (%v)", c.name, herr)
			continue
		}
		kv := ss.attributes(nil)
		if v, _ := attrOf(kv, "sightline.client.pid"); v.String() != c.pid {
			t.Errorf("%s: pid %q, want %q", c.name, v.String(), c.pid)
		}
		if v, _ := attrOf(kv, "device.name"); v.String() != c.dev {
			t.Errorf("%s: device.name %q, want %q", c.name, v.String(), c.dev)
		}
		if ss.name != c.class+"."+c.method {
			t.Errorf("%s: span name %q", c.name, ss.name)
		}
	}

	// More operations than a connection keeps: the oldest is made anew,
	// right.
	for i := range maxConnSpans {
		_, _ = serverSpanOf(request(conn1, "11"), "lab/calc/1", "Op"+string(rune('a'+i)), "Calc")
	}
	if ss, _ := serverSpanOf(request(conn1, "11"), "lab/calc/1", "Add", "Calc"); ss == first || ss.name != "Calc.Add" {
		t.Errorf("after %d other operations: span %q (the first's: %v)", maxConnSpans, ss.name, ss == first)
	}

	bad, herr := serverSpanOf(request(conn1, "-3"), "lab/calc/1", "Add", "Calc")
	if herr == nil || herr.Code != remote.CodeBadHeader {
		t.Fatalf("pid -3: error %v, want bad_header", herr)
	}
	kv = bad.attributes(herr)
	if _, ok := attrOf(kv, "sightline.client.pid"); ok {
		t.Error("a refused identity is in the span's attributes")
	}
	if _, ok := attrOf(kv, "thread.id"); !ok {
		t.Error("a call refused for its headers lacks thread.id")
	}
	if again, herr := serverSpanOf(request(conn1, "-3"), "lab/calc/1", "Add", "Calc"); again == bad || herr == nil {
		t.Error("a refused identity was cached")
	}

	// Outside Serve (a Handler in a test server): no thread.id, the rest.
	ss, _ := serverSpanOf(request(context.Background(), "11"), "lab/calc/1", "Add", "Calc")
	kv = ss.attributes(nil)
	if _, ok := attrOf(kv, "thread.id"); ok || len(kv) != 10 {
		t.Errorf("without a connection: %d attributes (thread.id %v), want 10 without thread.id", len(kv), ok)
	}
}
