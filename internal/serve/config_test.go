package serve

import (
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
