package telemetry

import (
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// defaultFactory is the process's default ProviderFactory
// (SetDefaultProviderFactory); nil means sdktrace.NewTracerProvider.
var defaultFactory atomic.Pointer[ProviderFactory]

// SetDefaultProviderFactory replaces, at runtime, the ProviderFactory of
// the components set up from now on without WithProviderFactory, as
// PyTango's set_telemetry_tracer_provider_factory replaces the factory of
// its device and client tracers. A component takes the default current
// when Setup runs and keeps it for its whole life, for every pipeline it
// builds after an endpoint change too: components set up before the call
// keep theirs, so a device already serving is never rebuilt behind its
// operator's back (restart it, with remote/server's RestartDevice or
// DevRestart, to give it the new factory). WithProviderFactory wins over
// the default. nil restores sdktrace.NewTracerProvider. It is safe for
// concurrent use.
func SetDefaultProviderFactory(f ProviderFactory) {
	if f == nil {
		defaultFactory.Store(nil)
		return
	}
	defaultFactory.Store(&f)
}

// DefaultProviderFactory returns the factory components set up now take
// without WithProviderFactory: the one of SetDefaultProviderFactory, else
// sdktrace.NewTracerProvider. It is never nil, so a factory can wrap the
// one it replaces (PyTango's get_telemetry_tracer_provider_factory).
func DefaultProviderFactory() ProviderFactory {
	if f := defaultFactory.Load(); f != nil {
		return *f
	}
	return sdktrace.NewTracerProvider
}

// setupFactory is the factory Setup gives a component: its own
// (WithProviderFactory), else the default set now; nil means
// sdktrace.NewTracerProvider.
func setupFactory(own ProviderFactory) ProviderFactory {
	if own != nil {
		return own
	}
	if f := defaultFactory.Load(); f != nil {
		return *f
	}
	return nil
}
