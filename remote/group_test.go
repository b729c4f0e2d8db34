package remote_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/internal/remotetest"
)

// TestGroupSpans: a Tango user's device group, as PyTango's Group
// ("Simply using the client classes, DeviceProxy, AttributeProxy, Group,
// and Database ... will emit telemetry", pytango docs/how-to/telemetry.md,
// "How to run a client that emits telemetry"; cppTango #1185: "Create a
// scope at root calls of a Group"): one group call is one parent span with
// one CLIENT span per device under it, each the parent of that device's
// SERVER span, all in one trace. Replies come back in member order, a
// failed member's with its error, and the group span says how many failed.
func TestGroupSpans(t *testing.T) {
	mem, spans := newMem(t)
	env := memEnv(mem)
	_, addr := startServer(t, "CalcServer/group", env, nil, calc("lab/calc/1"), calc("lab/calc/2"), calc("lab/calc/3"))
	p := dial(t, addr, env)
	g := remote.NewGroup("calcs")
	g.Add(p.Device("lab/calc/1"), p.Device("lab/calc/2"), p.Device("lab/calc/3"), p.Device("lab/calc/2"))
	if got := g.Devices(); !slices.Equal(got, []string{"lab/calc/1", "lab/calc/2", "lab/calc/3"}) {
		t.Fatalf("members %v", got)
	}

	replies := g.Command(context.Background(), "Echo", "hi")
	if len(replies) != 3 {
		t.Fatalf("%d replies, want 3", len(replies))
	}
	for i, r := range replies {
		var s string
		if err := r.Decode(&s); err != nil || s != "hi" || r.Device != g.Devices()[i] {
			t.Fatalf("reply %d: %+v decoded %q, %v", i, r, s, err)
		}
	}
	// 1 group span + 3 CLIENT + 3 SERVER.
	poll.Until(t, 10*time.Second, "7 spans", func() bool { return len(spans()) == 7 })
	all := spans()
	parent := findSpan(t, all, "calcs.Echo")
	if parent.SpanKind != trace.SpanKindInternal || parent.Parent.IsValid() {
		t.Fatalf("group span kind %v, parent %v; want an internal root", parent.SpanKind, parent.Parent)
	}
	if v, _ := spanAttr(parent, "tango.group.size"); v.AsInt64() != 3 {
		t.Errorf("tango.group.size = %v", v.String())
	}
	for _, dev := range g.Devices() {
		c := findSpan(t, all, dev+".Echo")
		if c.SpanKind != trace.SpanKindClient || c.Parent.SpanID() != parent.SpanContext.SpanID() ||
			c.SpanContext.TraceID() != parent.SpanContext.TraceID() {
			t.Errorf("%s.Echo: kind %v, parent %v; want a CLIENT span under the group span %v", dev, c.SpanKind, c.Parent.SpanID(), parent.SpanContext.SpanID())
		}
		var served bool
		for _, s := range all {
			if s.Name == "Calc.Echo" && s.SpanKind == trace.SpanKindServer && s.Parent.SpanID() == c.SpanContext.SpanID() {
				served = true
			}
		}
		if !served {
			t.Errorf("no SERVER span under %s.Echo in\n%s", dev, tree(all))
		}
	}

	// A member that fails: its reply has the error, the others succeed,
	// and the group span has status Error and the count.
	remotetest.ResetMem(mem)
	g.Add(p.Device("lab/calc/9"))
	replies = g.ReadAttribute(context.Background(), "gain")
	if len(replies) != 4 || !errors.Is(replies[3].Err, remote.ErrUnknownDevice) || replies[3].Device != "lab/calc/9" {
		t.Fatalf("replies %+v; want the 4th to fail with unknown_device", replies)
	}
	for _, r := range replies[:3] {
		var gain float64
		if err := r.Decode(&gain); err != nil || gain != 1 || r.Attribute.Quality != remote.QualityValid {
			t.Fatalf("reply of %s: gain %v quality %q, %v", r.Device, gain, r.Attribute.Quality, err)
		}
	}
	poll.Until(t, 10*time.Second, "the group span", func() bool {
		for _, s := range spans() {
			if s.Name == "calcs.read_gain" {
				return true
			}
		}
		return false
	})
	gs := findSpan(t, spans(), "calcs.read_gain")
	if v, _ := spanAttr(gs, "tango.group.failures"); gs.Status.Code != codes.Error || v.AsInt64() != 1 {
		t.Fatalf("group span status %v failures %v; want Error and 1", gs.Status, v.String())
	}
	for _, r := range g.WriteAttribute(context.Background(), "gain", 2.0)[:3] {
		if r.Err != nil {
			t.Fatalf("write gain on %s: %v", r.Device, r.Err)
		}
	}
}
