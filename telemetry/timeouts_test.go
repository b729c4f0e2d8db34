package telemetry

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestExportTimeoutsFromEnv: the sync timeout (SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT)
// and the batch timeouts (OTEL_EXPORTER_OTLP_TIMEOUT, per signal winning)
// in milliseconds or as durations, their origins, and every bad value
// refused with the variable, the value, what is allowed and what is used.
func TestExportTimeoutsFromEnv(t *testing.T) {
	type timeouts struct{ sync, traces, logs time.Duration }
	def := timeouts{DefaultSyncExportTimeout, DefaultExportTimeout, DefaultExportTimeout}
	tests := []struct {
		name    string
		env     []string
		want    timeouts
		origins map[string]string // setting key -> variable ("" for the default)
		bad     []string          // problems: each "VARIABLE=value ... allowed ... using"
	}{
		{name: "defaults", want: def,
			origins: map[string]string{KeySyncExportTimeout: "", KeyTracesExportTimeout: "", KeyLogsExportTimeout: ""}},
		{name: "sync in milliseconds", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "250"},
			want:    timeouts{250 * time.Millisecond, DefaultExportTimeout, DefaultExportTimeout},
			origins: map[string]string{KeySyncExportTimeout: "SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT"}},
		{name: "sync as a duration", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "1.5s"},
			want: timeouts{1500 * time.Millisecond, DefaultExportTimeout, DefaultExportTimeout}},
		{name: "generic batch timeout", env: []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "3000"},
			want:    timeouts{DefaultSyncExportTimeout, 3 * time.Second, 3 * time.Second},
			origins: map[string]string{KeyTracesExportTimeout: "OTEL_EXPORTER_OTLP_TIMEOUT", KeyLogsExportTimeout: "OTEL_EXPORTER_OTLP_TIMEOUT"}},
		{name: "per signal wins", env: []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "3000", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "20000"},
			want:    timeouts{DefaultSyncExportTimeout, 3 * time.Second, 20 * time.Second},
			origins: map[string]string{KeyTracesExportTimeout: "OTEL_EXPORTER_OTLP_TIMEOUT", KeyLogsExportTimeout: "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT"}},
		{name: "traces alone", env: []string{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", " 500 "},
			want: timeouts{DefaultSyncExportTimeout, 500 * time.Millisecond, DefaultExportTimeout}},
		{name: "bounds are allowed", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "60000", "OTEL_EXPORTER_OTLP_TIMEOUT", "10"},
			want: timeouts{time.Minute, 10 * time.Millisecond, 10 * time.Millisecond}},
		{name: "sync zero", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "0"}, want: def,
			bad: []string{`SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT="0": timeout 0s out of range (allowed: 10 to 60000 milliseconds, or a duration such as 500ms or 2s); using the default 500ms`}},
		{name: "sync too long", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "2m"}, want: def,
			bad: []string{`SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT="2m": timeout 2m0s out of range (allowed: 10 to 60000`}},
		{name: "sync not a number", env: []string{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "soon"}, want: def,
			bad: []string{`SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT="soon": not a number of milliseconds or a duration: "soon"`}},
		{name: "negative", env: []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "-5"}, want: def,
			bad: []string{`OTEL_EXPORTER_OTLP_TIMEOUT="-5": timeout -5 ms out of range (allowed: 10 to 600000 milliseconds, or a duration such as 500ms or 2s); using the default 10s`}},
		{name: "huge does not overflow", env: []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "99999999999999999"}, want: def,
			bad: []string{`OTEL_EXPORTER_OTLP_TIMEOUT="99999999999999999": timeout 99999999999999999 ms out of range`}},
		{name: "bad per signal falls back to the generic value", env: []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "4000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "5 seconds"},
			want:    timeouts{DefaultSyncExportTimeout, 4 * time.Second, 4 * time.Second},
			origins: map[string]string{KeyTracesExportTimeout: "OTEL_EXPORTER_OTLP_TIMEOUT"},
			bad:     []string{`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="5 seconds": not a number of milliseconds or a duration: "5 seconds" (allowed: 10 to 600000 milliseconds, or a duration such as 500ms or 2s); using OTEL_EXPORTER_OTLP_TIMEOUT (4s)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, src, err := FromEnv(envOf(tt.env...))
			got := timeouts{cfg.SyncExportTimeout, cfg.TracesExportTimeout, cfg.LogsExportTimeout}
			if got != tt.want {
				t.Errorf("timeouts = %+v, want %+v", got, tt.want)
			}
			if verr := cfg.Validate(); verr != nil {
				t.Errorf("FromEnv gave an invalid config: %v", verr)
			}
			for key, variable := range tt.origins {
				want := Origin{Source: SourceEnv, Name: variable}
				if variable == "" {
					want = Origin{Source: SourceDefault}
				}
				if src[key] != want {
					t.Errorf("origin of %s = %+v, want %+v", key, src[key], want)
				}
			}
			var ce *ConfigError
			if len(tt.bad) == 0 {
				if err != nil {
					t.Errorf("unexpected problems: %v", err)
				}
				return
			}
			if !errors.As(err, &ce) || len(ce.Problems) != len(tt.bad) {
				t.Fatalf("problems = %v, want %d", err, len(tt.bad))
			}
			for i, want := range tt.bad {
				if !strings.HasPrefix(ce.Problems[i].Error(), want) {
					t.Errorf("problem %q\nwant it to start %q", ce.Problems[i].Error(), want)
				}
			}
		})
	}
}

// TestExportTimeoutsValidateAndShow: Validate refuses timeouts out of range
// naming the field, zero means the default, and Status shows the effective
// values.
func TestExportTimeoutsValidateAndShow(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Config)
		want string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"zero means default", func(c *Config) { c.SyncExportTimeout, c.TracesExportTimeout, c.LogsExportTimeout = 0, 0, 0 }, ""},
		{"sync too short", func(c *Config) { c.SyncExportTimeout = time.Millisecond }, `SyncExportTimeout="1ms": timeout 1ms out of range`},
		{"sync too long", func(c *Config) { c.SyncExportTimeout = 2 * time.Minute }, `SyncExportTimeout="2m0s"`},
		{"traces negative", func(c *Config) { c.TracesExportTimeout = -time.Second }, `TracesExportTimeout="-1s"`},
		{"logs too long", func(c *Config) { c.LogsExportTimeout = time.Hour }, `LogsExportTimeout="1h0m0s"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.set(&cfg)
			err := cfg.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
	cfg := DefaultConfig()
	cfg.SyncExportTimeout, cfg.TracesExportTimeout = 0, 3*time.Second
	shown := map[string]string{}
	for _, s := range settingsOf(cfg, defaultSources()) {
		shown[s.Key] = s.Value + " " + string(s.Origin.Source)
	}
	for key, want := range map[string]string{KeySyncExportTimeout: "500ms default", KeyTracesExportTimeout: "3s default", KeyLogsExportTimeout: "10s default"} {
		if shown[key] != want {
			t.Errorf("setting %s shows %q, want %q", key, shown[key], want)
		}
	}
}
