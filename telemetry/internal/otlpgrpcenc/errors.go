package otlpgrpcenc

import (
	"errors"
	"fmt"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// ErrShutdown is returned by exports after Shutdown, and is the cause of
// the failure of exports that Shutdown ended.
var ErrShutdown = errors.New("otlpgrpcenc: exporter is shut down")

// errLogShutdown is what a LogExporter returns after Shutdown: both
// ErrShutdown and the SDK's sdklog.ErrExporterShutdown, which otlploggrpc
// returns.
var errLogShutdown = fmt.Errorf("%w (%w)", ErrShutdown, sdklog.ErrExporterShutdown)
