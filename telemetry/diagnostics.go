package telemetry

import (
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

// The process has one diagnostics log: export errors of every component,
// deduplicated and rate-limited ("export to X failing: ... (N similar
// suppressed)", then "export to X recovered"), configuration warnings, and,
// once a component is set up WithGlobal, the OpenTelemetry global error
// handler's errors. It writes to stderr unless SetDiagnostics says
// otherwise, never into the telemetry pipeline.
var (
	diagLog         atomic.Pointer[ratelog.Log]
	processDiagnose = diagnosticsHandler{}
)

func init() {
	diagLog.Store(ratelog.New(slog.New(slog.NewTextHandler(os.Stderr, nil))))
}

// SetDiagnostics sends sightline's own diagnostics to out from now on
// (components set up before keep the log they have). Nil restores stderr.
func SetDiagnostics(out *slog.Logger) {
	if out == nil {
		out = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	diagLog.Store(ratelog.New(out))
}

func diagnostics() *ratelog.Log { return diagLog.Load() }

// diagnosticsHandler is the OpenTelemetry global error handler that
// WithGlobal installs; it forwards to the current diagnostics log.
type diagnosticsHandler struct{}

func (diagnosticsHandler) Handle(err error) { diagnostics().Handle(err) }

// slogLevel maps a diagnostics level to the slog level the log filters at.
func (l Level) slogLevel() slog.Level {
	switch l {
	case LevelDebug:
		return slog.LevelDebug
	case LevelInfo:
		return slog.LevelInfo
	case LevelError:
		return slog.LevelError
	case LevelCritical:
		return slog.LevelError + 4
	case LevelOff:
		return slog.LevelError + 100
	}
	return slog.LevelWarn
}
