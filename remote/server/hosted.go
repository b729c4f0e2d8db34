package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/telemetry"
)

// hosted is a device on a server: its declaration and, while it runs, its
// telemetry component.
type hosted struct {
	dev *Device
	srv *Server

	mu  sync.Mutex // serialises start and stop
	run atomic.Pointer[running]
}

// running is what a started device traces with; nil while it is stopped.
// Its tracing makes the device's SERVER spans and, through the context of
// its calls, the CLIENT spans of the calls it makes to other devices.
type running struct {
	comp    *telemetry.Component
	tracing *remote.Tracing
}

func newRunning(comp *telemetry.Component) *running {
	return &running{comp: comp, tracing: remote.NewTracing(comp.TracerProvider(), comp.Propagator())}
}

func (h *hosted) state() remote.State {
	if h.run.Load() == nil {
		return remote.StateOff
	}
	return remote.StateOn
}

// start sets up the device's telemetry component from the environment, code
// and its stored properties, and registers it with the admin routes.
func (h *hosted) start(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run.Load() != nil {
		return nil
	}
	o := h.srv.opts
	var props map[string][]string
	if o.store != nil {
		p, err := o.store.Get(ctx, h.dev.name)
		if err != nil {
			return fmt.Errorf("start device %s: read its properties from %s: %w", h.dev.name, o.store.Path(), err)
		}
		props = p
	}
	service := h.dev.serviceName
	if service == "" {
		service = h.dev.class
	}
	topts := []telemetry.Option{
		telemetry.WithComponent(h.dev.name),
		telemetry.WithServiceName(service),
		telemetry.WithInstanceID(h.dev.name),
	}
	if o.namespace != "" {
		topts = append(topts, telemetry.WithServiceNamespace(o.namespace))
	}
	if o.getenv != nil {
		topts = append(topts, telemetry.WithEnv(o.getenv))
	}
	topts = append(topts, o.telemetry...)
	if len(h.dev.resAttrs) > 0 {
		topts = append(topts, telemetry.WithResourceAttributes(h.dev.resAttrs...))
	}
	topts = append(topts, telemetry.WithProperties(props))
	// A configuration problem does not stop the device: Setup reports it
	// in the component's Status (and the diagnostics log) and runs on the
	// settings used instead. Only WithStrict (WithTelemetryOptions) makes
	// it an error here.
	comp, err := telemetry.Setup(ctx, topts...)
	if err != nil {
		return fmt.Errorf("start device %s: %w", h.dev.name, err)
	}
	if err := h.srv.admin.Add(comp); err != nil {
		_ = comp.Shutdown(ctx)
		return fmt.Errorf("start device %s: %w", h.dev.name, err)
	}
	h.run.Store(newRunning(comp))
	return nil
}

// stop shuts the device's telemetry down; its calls get ErrNotRunning.
func (h *hosted) stop(ctx context.Context, reason string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.run.Swap(nil)
	if r == nil {
		return nil
	}
	h.srv.ops.cancelDevice(h.dev.name, reason)
	h.srv.admin.Remove(h.dev.name)
	if err := r.comp.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop device %s: %w", h.dev.name, err)
	}
	return nil
}
