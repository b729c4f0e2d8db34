package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// MaxGroupParallel bounds how many devices of a Group are called at once.
const MaxGroupParallel = 16

// Group calls many devices at once, as Tango's Group does: a command, an
// attribute read or an attribute write goes to every member concurrently
// (at most MaxGroupParallel at a time), and each member's reply comes back,
// in the order the members were added, whether it succeeded or failed.
// The members may live on different servers.
//
// Each group call is one INTERNAL span "<group>.<operation>" (attributes
// tango.group.name, tango.group.size, rpc.method, and
// tango.group.failures when some member failed, then with status Error),
// the parent of the usual CLIENT span of each member's call
// ("<device>.<operation>", see Proxy), so a trace shows the group call and
// the call to every device under it; cppTango likewise opens one scope at
// a Group's root call. The group span is made with the Tracing of the
// call's context (ContextWithTracing; inside a device's command, the
// device's), else that of the first member's proxy.
//
// A Group is safe for concurrent use.
type Group struct {
	name string
	mu   sync.RWMutex
	devs []*DeviceProxy
}

// NewGroup makes an empty group called name (it names the group's spans).
func NewGroup(name string) *Group { return &Group{name: name} }

// Name is the group's name.
func (g *Group) Name() string { return g.name }

// Add adds devices to the group; a device already in it (by proxy and
// name) is not added twice.
func (g *Group) Add(devices ...*DeviceProxy) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, d := range devices {
		if d == nil || g.has(d) {
			continue
		}
		g.devs = append(g.devs, d)
	}
}

func (g *Group) has(d *DeviceProxy) bool {
	for _, m := range g.devs {
		if m.p == d.p && m.name == d.name {
			return true
		}
	}
	return false
}

// Devices returns the names of the members, in the order they were added.
func (g *Group) Devices() []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	names := make([]string, len(g.devs))
	for i, d := range g.devs {
		names[i] = d.name
	}
	return names
}

// GroupReply is one member's reply to a group call.
type GroupReply struct {
	// Device is the member's name.
	Device string
	// Err is why the member's call failed (an *Error), nil on success.
	Err error
	// Value is the command's result (argout) or the attribute read, as
	// JSON; empty for a write or a command returning nothing.
	Value json.RawMessage
	// Attribute is the attribute read (ReadAttribute only).
	Attribute AttributeValue
}

// Decode decodes the reply's Value into v, or returns the reply's error.
func (r GroupReply) Decode(v any) error {
	if r.Err != nil {
		return r.Err
	}
	if len(r.Value) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Value, v); err != nil {
		return fmt.Errorf("group reply of %s: decode %s: %w", r.Device, clip(r.Value), err)
	}
	return nil
}

// Command runs a command with argin (nil for none) on every member.
func (g *Group) Command(ctx context.Context, name string, argin any) []GroupReply {
	req, err := commandBody(argin)
	return g.each(ctx, name, func(ctx context.Context, d *DeviceProxy) GroupReply {
		if err != nil {
			return GroupReply{Device: d.name, Err: err}
		}
		var resp CommandResponse
		err := d.p.call(ctx, d.name, name, http.MethodPost, commandPath(d.name, name), req, &resp, false)
		return GroupReply{Device: d.name, Err: err, Value: resp.Argout}
	})
}

// ReadAttribute reads an attribute of every member.
func (g *Group) ReadAttribute(ctx context.Context, name string) []GroupReply {
	return g.each(ctx, "read_"+name, func(ctx context.Context, d *DeviceProxy) GroupReply {
		av, err := d.ReadAttribute(ctx, name)
		return GroupReply{Device: d.name, Err: err, Value: av.Value, Attribute: av}
	})
}

// WriteAttribute writes value to an attribute of every member.
func (g *Group) WriteAttribute(ctx context.Context, name string, value any) []GroupReply {
	return g.each(ctx, "write_"+name, func(ctx context.Context, d *DeviceProxy) GroupReply {
		return GroupReply{Device: d.name, Err: d.WriteAttribute(ctx, name, value)}
	})
}

// each runs call on every member under the group's span and gathers the
// replies in member order.
func (g *Group) each(ctx context.Context, method string, call func(context.Context, *DeviceProxy) GroupReply) []GroupReply {
	g.mu.RLock()
	devs := append([]*DeviceProxy(nil), g.devs...)
	g.mu.RUnlock()
	if len(devs) == 0 {
		return nil
	}
	tr := tracingFrom(ctx, devs[0].p.tracing)
	ctx, span := tr.user.Start(ctx, g.name+"."+method, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("tango.group.name", g.name), attribute.Int("tango.group.size", len(devs)),
			attribute.String("rpc.method", method)))
	defer span.End()
	replies := make([]GroupReply, len(devs))
	sem := make(chan struct{}, MaxGroupParallel)
	var wg sync.WaitGroup
	for i, d := range devs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			replies[i] = call(ctx, d)
		})
	}
	wg.Wait()
	failed := 0
	for _, r := range replies {
		if r.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		span.SetAttributes(attribute.Int("tango.group.failures", failed))
		span.SetStatus(codes.Error, fmt.Sprintf("%d of %d devices failed", failed, len(devs)))
	}
	return replies
}
