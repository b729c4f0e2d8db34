package serve

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfig: the defaults are valid; every field Validate checks is
// named in its error (the flags' errors are checked end to end in
// cmd/sightline).
func TestConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = "d"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if got := cfg.MemoryLimit(); got != 100<<20+384<<20 {
		t.Errorf("memory limit %d, want 484 MiB", got)
	}
	bad := Config{UIAddr: "127.0.0.1:0", StatsInterval: -time.Second}
	err := bad.Validate()
	for _, want := range []string{`--grpc and --http are both ""`, "--data: no data directory", "--max-request-bytes 0B", "--max-in-flight 0",
		"--max-connections 0", "--max-attributes 0", "--max-span-events 0", "--max-span-links 0", "--max-value-bytes 0B",
		"shutdown timeout 0s: must be more than 0", "stats interval -1s: must be more than 0"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate of the zero Config: %v\nlacks %q", err, want)
		}
	}
	if _, err := New(bad); err == nil || !strings.HasPrefix(err.Error(), "serve: ") {
		t.Errorf("New of an invalid Config: %v", err)
	}
}

// TestConfigForward: the forwarding settings are checked only when
// --forward is set, and every error names its flag, never a header value.
func TestConfigForward(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = "d"
	cfg.ForwardQueueBytes, cfg.ForwardCompression = 1, "br"
	if err := cfg.Validate(); err != nil {
		t.Errorf("forwarding off, other forward settings unused: %v", err)
	}
	cfg.ForwardURL = "grpc://gw:4317"
	cfg.ForwardHeaders = map[string]string{"bad key": "s3cret", "content-type": "s3cret", "x-ok": "s3cret\n"}
	cfg.ForwardCAFile, cfg.ForwardTimeout, cfg.ForwardWhenFull = "/ca.pem", 0, "never"
	err := cfg.Validate()
	for _, want := range []string{
		`--forward-queue-size 1B: must be between 16MiB and 1TiB`,
		`--forward-when-full "never": must be block or drop-oldest`,
		`--forward-compression "br": must be gzip or none`,
		`--forward-timeout 0s: must be more than 0`,
		`--forward-ca "/ca.pem": only for a grpcs:// or https:// URL (the URL is grpc://gw:4317)`,
		`--forward-header "bad key": not a valid header name`,
		`--forward-header "content-type": set by the forwarder itself`,
		`--forward-header "x-ok": the value (not shown) has characters other than printable ASCII`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v\nlacks %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a header value in an error: %v", err)
	}

	cfg = DefaultConfig()
	cfg.DataDir, cfg.ForwardURL = "d", "https://u:pw@gw/otlp"
	cfg.ForwardQueueBytes = 16 << 20
	if err := cfg.Validate(); err == nil || err.Error() != "--forward-queue-size 16MiB: must be at least twice --max-request-bytes (16MiB), so that any request received can be queued" {
		t.Errorf("queue smaller than two requests: %v", err)
	}
	cfg.MaxRequestBytes, cfg.MaxInFlightBytes = 128<<20, 1<<30
	if err := cfg.Validate(); err == nil || err.Error() != "--max-request-bytes 128MiB: with --forward, at most 64MiB (the largest request the forward queue holds)" {
		t.Errorf("requests larger than a queue record: %v", err)
	}
	cfg.ForwardURL = "ftp://u:pw@gw"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `--forward "ftp://u:xxxxx@gw": the scheme must be`) {
		t.Errorf("a bad URL: %v", err)
	}
	for in, want := range map[string]string{
		`Config.URL: not a URL: bad`:               `--forward: not a URL: bad`,
		`Config.Headers["a]b"]: not a valid name`:  `--forward-header "a]b": not a valid name`,
		`Config.MaxBytes 1B: must be`:              `--forward-queue-size 1B: must be`,
		`Config.SegmentBytes 1B: must be`:          `--forward: Config.SegmentBytes 1B: must be`,
		`Config.URLs "x": not a field of the list`: `--forward: Config.URLs "x": not a field of the list`,
	} {
		if got := flagNamed(in); got != want {
			t.Errorf("flagNamed(%q) = %q, want %q", in, got, want)
		}
	}
	fc := DefaultConfig()
	fc.DataDir, fc.ForwardURL, fc.Fsync = "/data", "grpc://gw:4317", true
	if c := fc.forwardConfig(); c.Dir != filepath.Join("/data", "forward") || !c.Fsync || c.URL != fc.ForwardURL || c.MaxBytes != 2<<30 || c.WhenFull != "block" {
		t.Errorf("forwardConfig: %+v", c)
	}
}
