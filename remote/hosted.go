package remote

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// TracerName is the instrumentation scope of the spans this package makes.
const TracerName = "github.com/sightline-dev/sightline/remote"

// hosted is a device on a server: its declaration and, while it runs, its
// telemetry component.
type hosted struct {
	dev *Device
	srv *Server

	mu  sync.Mutex // serialises start and stop
	run atomic.Pointer[running]
}

// running is what a started device traces with; nil while it is stopped.
type running struct {
	comp   *telemetry.Component
	user   trace.Tracer
	kernel trace.Tracer
	prop   propagation.TextMapPropagator
}

func newRunning(comp *telemetry.Component) *running {
	return &running{
		comp:   comp,
		user:   comp.Tracer(TracerName),
		kernel: comp.Tracer(TracerName, topic.Kernel.TracerOption()),
		prop:   comp.Propagator(),
	}
}

// SetServiceName sets the service.name of the device's telemetry (default:
// its class).
func (d *Device) SetServiceName(name string) { d.serviceName = name }

func (h *hosted) state() State {
	if h.run.Load() == nil {
		return StateOff
	}
	return StateOn
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
	topts = append(topts, telemetry.WithProperties(props))
	comp, cfgErr := telemetry.Setup(ctx, topts...)
	if comp == nil {
		return fmt.Errorf("start device %s: %w", h.dev.name, cfgErr)
	}
	if err := h.srv.admin.Add(comp); err != nil {
		_ = comp.Shutdown(ctx)
		return fmt.Errorf("start device %s: %w", h.dev.name, err)
	}
	h.run.Store(newRunning(comp))
	if cfgErr != nil {
		return fmt.Errorf("device %s runs, with telemetry settings that fell back: %w", h.dev.name, cfgErr)
	}
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

// adminDevice is the server's own device, dserver/<name>, with Tango's
// admin commands.
func (s *Server) adminDevice() *Device {
	class := s.name[:strings.IndexByte(s.name, '/')]
	d := NewDevice(s.AdminDevice(), "DServer")
	d.SetServiceName(class)
	Command(d, "QueryDevice", func(context.Context, Void) ([]string, error) { return s.Devices(), nil })
	Command(d, "DevRestart", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.RestartDevice(ctx, name)
	})
	Command(d, "DevStop", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.StopDevice(ctx, name)
	})
	Command(d, "DevStart", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.StartDevice(ctx, name)
	})
	return d
}
