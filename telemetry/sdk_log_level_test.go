package telemetry

import (
	"errors"
	"strings"
	"testing"
)

// TestSDKLogLevelPythonNames: every level PyTango's docs list for
// PYTANGO_TELEMETRY_SDK_LOG_LEVEL ("The standard Python logging levels
// are all options: critical, fatal, error, warning, info, debug, notset",
// tango-controls/pytango docs/how-to/telemetry.md, "How to hide error
// messages when traces cannot be sent") is accepted by
// SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL, in either case, with no problem.
// notset is the default level (warning): PyTango sets the level on the
// SDK's named loggers, where Python's NOTSET defers to the parent logger.
func TestSDKLogLevelPythonNames(t *testing.T) {
	for value, want := range map[string]Level{
		"critical": LevelCritical, "fatal": LevelCritical, "error": LevelError, "warning": LevelWarning,
		"info": LevelInfo, "debug": LevelDebug, "notset": LevelWarning, "NOTSET": LevelWarning, " NotSet ": LevelWarning,
	} {
		cfg, src, err := FromEnv(envOf("SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", value))
		if err != nil {
			t.Errorf("SDK_LOG_LEVEL=%q: %v", value, err)
			continue
		}
		if cfg.SDKLogLevel != want {
			t.Errorf("SDK_LOG_LEVEL=%q: level %v, want %v", value, cfg.SDKLogLevel, want)
		}
		if o := src[KeySDKLogLevel]; o.Source != SourceEnv || o.Name != "SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL" {
			t.Errorf("SDK_LOG_LEVEL=%q: origin %+v, want the variable", value, o)
		}
	}
	// A name Python does not have is still refused, and the message says
	// notset is accepted too.
	_, _, err := FromEnv(envOf("SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "verbose"))
	var ce *ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.Contains(err.Error(), "notset") || !strings.Contains(err.Error(), `"verbose"`) {
		t.Fatalf("SDK_LOG_LEVEL=verbose: %v; want one problem naming the value and notset", err)
	}
}
