package telemetry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// DefaultNamespace is service.namespace when neither code nor
// OTEL_RESOURCE_ATTRIBUTES sets one.
const DefaultNamespace = "sightline"

var resourceDetectors = []string{"process", "host", "os", "container"}

// identity is what names a component in its resource.
type identity struct {
	serviceName string // from Config.ServiceName or the executable
	namespace   string // from WithServiceNamespace; "" = attributes or DefaultNamespace
	instanceID  string // from WithInstanceID; "" = attributes or host-pid
	extra       []attribute.KeyValue
}

// buildResource makes a component's resource: the base attributes every
// sightline resource carries (service.name, service.namespace,
// service.instance.id, host.name, process.pid, process.executable.name,
// telemetry.sdk.*), then the detectors asked for, then
// OTEL_RESOURCE_ATTRIBUTES, then what the program set in code. Later wins.
func buildResource(ctx context.Context, cfg Config, id identity) (*resource.Resource, error) {
	opts := []resource.Option{
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithProcessPID(),
		resource.WithProcessExecutableName(),
	}
	for _, d := range cfg.ResourceDetectors {
		switch d {
		case "process":
			opts = append(opts, resource.WithProcess())
		case "host":
			opts = append(opts, resource.WithHostID(),
				resource.WithAttributes(semconv.HostArchKey.String(hostArch())))
		case "os":
			opts = append(opts, resource.WithOS())
		case "container":
			opts = append(opts, resource.WithContainer())
		}
	}
	attrs := make([]attribute.KeyValue, 0, len(cfg.ResourceAttributes)+len(id.extra)+3)
	keys := make([]string, 0, len(cfg.ResourceAttributes))
	for k := range cfg.ResourceAttributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attrs = append(attrs, attribute.String(k, cfg.ResourceAttributes[k]))
	}
	attrs = append(attrs, id.extra...)

	name := cfg.ServiceName
	if name == "" {
		name = cfg.ResourceAttributes[string(semconv.ServiceNameKey)]
	}
	if name == "" {
		name = executableName()
	}
	ns := id.namespace
	if ns == "" {
		ns = cfg.ResourceAttributes[string(semconv.ServiceNamespaceKey)]
	}
	if ns == "" {
		ns = DefaultNamespace
	}
	inst := id.instanceID
	if inst == "" {
		inst = cfg.ResourceAttributes[string(semconv.ServiceInstanceIDKey)]
	}
	if inst == "" {
		inst = defaultInstanceID()
	}
	attrs = append(attrs, semconv.ServiceName(name), semconv.ServiceNamespace(ns), semconv.ServiceInstanceID(inst))
	opts = append(opts, resource.WithAttributes(attrs...))

	res, err := resource.New(ctx, opts...)
	if err != nil && res == nil {
		return nil, fmt.Errorf("build resource for %s: %w", name, err)
	}
	// A detector that found nothing (no container, say) is not an error worth
	// failing a component for; resource.New returns the partial resource.
	return res, nil
}

func executableName() string {
	if exe, err := os.Executable(); err == nil {
		return filepath.Base(exe)
	}
	if len(os.Args) > 0 && os.Args[0] != "" {
		return filepath.Base(os.Args[0])
	}
	return "unknown_service:go"
}

// defaultInstanceID is host-pid: unique among running processes, readable,
// and the same for every component of a process that sets no instance id.
func defaultInstanceID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", strings.TrimSpace(host), os.Getpid())
}

func hostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "amd64"
	case "arm64":
		return "arm64"
	case "386":
		return "x86"
	}
	return runtime.GOARCH
}
