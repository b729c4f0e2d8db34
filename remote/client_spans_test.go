package remote

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// viaCall stands for Proxy.call: attributes skips its frame and its own.
func viaCall(cs *clientSpans, o *clientOp) []attribute.KeyValue { return cs.attributes(o) }

func valueOf(kv []attribute.KeyValue, key string) string {
	for _, a := range kv {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

// TestClientSpansMadeOnce: an operation's span name and attributes, and
// a call path's code location, are made by the first call and found by the
// next without allocating; each call path has its own entry.
func TestClientSpansMadeOnce(t *testing.T) {
	cs := newClientSpans([]attribute.KeyValue{attribute.String("server.address", "127.0.0.1"), attribute.Int("server.port", 9)})
	o := cs.op("lab/calc/1", "Add")
	if o.name != "lab/calc/1.Add" {
		t.Errorf("span name %q", o.name)
	}
	if cs.op("lab/calc/1", "Add") != o || cs.op("lab/calc/1", "Sub") == o || cs.op("lab/calc/2", "Add") == o {
		t.Error("op is not one per device and method")
	}
	var first, second []attribute.KeyValue
	for i := range 2 {
		kv := viaCall(cs, o) // one call path, twice
		if i == 0 {
			first = kv
		} else {
			second = kv
		}
	}
	other := viaCall(cs, o) // another line: another call path
	if &first[0] != &second[0] {
		t.Error("the same call path made its attributes anew")
	}
	if len(first) != 9 || cap(first) != 9 {
		t.Errorf("%d attributes (capacity %d), want 9, capacity 9", len(first), cap(first))
	}
	for key, want := range map[string]string{"rpc.system": "sightline.remote", "rpc.service": "lab/calc/1", "rpc.method": "Add",
		"device.name": "lab/calc/1", "server.address": "127.0.0.1", "server.port": "9"} {
		if got := valueOf(first, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// This test is in package remote: the first frame outside it is the
	// testing package's (TestClientAndServerSpans checks a user's).
	if fn := valueOf(first, "code.function.name"); !strings.HasPrefix(fn, "testing.") || valueOf(first, "code.file.path") == "" {
		t.Errorf("code.function.name = %q, want the first frame outside package remote, testing's", fn)
	}
	if &other[0] == &first[0] || len(other) != len(first) {
		t.Error("another call path shares the first one's attributes")
	}
	if n := testing.AllocsPerRun(100, func() { viaCall(cs, cs.op("lab/calc/1", "Add")) }); n != 0 {
		t.Errorf("a repeated call allocates %v times, want 0", n)
	}
}
