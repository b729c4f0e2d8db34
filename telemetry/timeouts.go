package telemetry

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Setting keys of the export timeouts, as Status reports them (the other
// keys are in source.go).
const (
	KeySyncExportTimeout   = "sync_export_timeout"
	KeyTracesExportTimeout = "traces_export_timeout"
	KeyLogsExportTimeout   = "logs_export_timeout"
)

var timeoutKeys = []string{KeySyncExportTimeout, KeyTracesExportTimeout, KeyLogsExportTimeout}

// Export timeouts: defaults and the bounds Validate and FromEnv allow.
const (
	// DefaultSyncExportTimeout is Config.SyncExportTimeout's default: short,
	// because a simple processor exports in the caller's goroutine.
	DefaultSyncExportTimeout = 500 * time.Millisecond
	// DefaultExportTimeout is the default of Config.TracesExportTimeout and
	// Config.LogsExportTimeout (the OpenTelemetry default, 10 s).
	DefaultExportTimeout = 10 * time.Second

	minExportTimeout     = 10 * time.Millisecond
	maxSyncExportTimeout = time.Minute
	maxExportTimeout     = 10 * time.Minute
)

// syncTimeout is c.SyncExportTimeout, or its default when zero.
func (c Config) syncTimeout() time.Duration {
	return cmp.Or(c.SyncExportTimeout, DefaultSyncExportTimeout)
}

// batchTimeout is the export timeout of sig's batch processors, or the
// default when zero.
func (c Config) batchTimeout(sig Signal) time.Duration {
	if sig == SignalLogs {
		return cmp.Or(c.LogsExportTimeout, DefaultExportTimeout)
	}
	return cmp.Or(c.TracesExportTimeout, DefaultExportTimeout)
}

// checkTimeout refuses a timeout outside [minExportTimeout, upper]; zero
// (the default) passes.
func checkTimeout(d, upper time.Duration) error {
	if d == 0 || d >= minExportTimeout && d <= upper {
		return nil
	}
	return badValue(timeoutsAllowed(upper), "timeout %v out of range", d)
}

// timeoutsAllowed describes the values a timeout setting accepts.
func timeoutsAllowed(upper time.Duration) string {
	return fmt.Sprintf("%d to %d milliseconds, or a duration such as 500ms or 2s",
		minExportTimeout.Milliseconds(), upper.Milliseconds())
}

// parseTimeout reads a timeout: a whole number of milliseconds (the
// OTEL_EXPORTER_OTLP_*TIMEOUT form) or a Go duration (500ms, 2s), within
// [minExportTimeout, upper].
func parseTimeout(s string, upper time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms > upper.Milliseconds() || ms < 0 {
			return 0, badValue(timeoutsAllowed(upper), "timeout %s ms out of range", s)
		}
		d = time.Duration(ms) * time.Millisecond
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, badValue(timeoutsAllowed(upper), "not a number of milliseconds or a duration: %q", s)
	}
	if d < minExportTimeout || d > upper {
		return 0, badValue(timeoutsAllowed(upper), "timeout %v out of range", d)
	}
	return d, nil
}

// readTimeouts reads the export timeouts: SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT
// for simple processors, and the OpenTelemetry variables (milliseconds) for
// batch processors, OTEL_EXPORTER_OTLP_{TRACES,LOGS}_TIMEOUT winning over
// OTEL_EXPORTER_OTLP_TIMEOUT.
func (r *envReader) readTimeouts() {
	const syncVar = "SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT"
	if v, ok := r.get(syncVar); ok {
		if d, err := parseTimeout(v, maxSyncExportTimeout); err != nil {
			r.bad(syncVar, v, err, "the default "+DefaultSyncExportTimeout.String())
		} else {
			r.cfg.SyncExportTimeout = d
			r.set(KeySyncExportTimeout, syncVar)
		}
	}
	const generic = "OTEL_EXPORTER_OTLP_TIMEOUT"
	all, allVar := DefaultExportTimeout, ""
	if v, ok := r.get(generic); ok {
		if d, err := parseTimeout(v, maxExportTimeout); err != nil {
			r.bad(generic, v, err, "the default "+DefaultExportTimeout.String())
		} else {
			all, allVar = d, generic
		}
	}
	for _, sig := range []struct {
		variable, key string
		dst           *time.Duration
	}{
		{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", KeyTracesExportTimeout, &r.cfg.TracesExportTimeout},
		{"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", KeyLogsExportTimeout, &r.cfg.LogsExportTimeout},
	} {
		*sig.dst = all
		if allVar != "" {
			r.set(sig.key, allVar)
		}
		v, ok := r.get(sig.variable)
		if !ok {
			continue
		}
		d, err := parseTimeout(v, maxExportTimeout)
		if err != nil {
			using := "the default " + DefaultExportTimeout.String()
			if allVar != "" {
				using = fmt.Sprintf("%s (%v)", allVar, all)
			}
			r.bad(sig.variable, v, err, using)
			continue
		}
		*sig.dst = d
		r.set(sig.key, sig.variable)
	}
}
