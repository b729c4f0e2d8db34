package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/serve"
)

func TestServeFlags(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	var stderr bytes.Buffer
	cfg, _, ok := parseServeFlags(nil, &stderr)
	if !ok || cfg.GRPCAddr != "127.0.0.1:4317" || cfg.HTTPAddr != "127.0.0.1:4318" || cfg.UIAddr != "127.0.0.1:8760" ||
		cfg.DataDir != "/xdg/sightline" || cfg.MaxRequestBytes != 16<<20 || cfg.MaxInFlightItems != 100_000 || cfg.MaxInFlightBytes != 256<<20 ||
		cfg.RetentionAge != 7*24*time.Hour || cfg.RetentionBytes != 1<<30 || cfg.Fsync || cfg.MaxConnections != 1024 ||
		cfg.MaxAttributes != 1024 || cfg.MaxValueBytes != 64<<10 || cfg.MaxEvents != 1024 || cfg.MaxLinks != 1024 {
		t.Fatalf("defaults: %+v %s", cfg, stderr.String())
	}
	cfg, _, ok = parseServeFlags([]string{"--grpc", "0.0.0.0:5317", "--http", "", "--ui", "[::1]:0", "--data", "d",
		"--max-request-bytes", "4MiB", "--max-in-flight", "50", "--max-in-flight-bytes", "4MiB", "--retention-age", "36h", "--retention-size", "500MB", "--fsync",
		"--max-connections", "64", "--max-attributes", "128", "--max-value-bytes", "1MiB", "--max-span-events", "10", "--max-span-links", "20"}, &stderr)
	if !ok || cfg.GRPCAddr != "0.0.0.0:5317" || cfg.HTTPAddr != "" || cfg.UIAddr != "[::1]:0" || cfg.DataDir != "d" ||
		cfg.MaxRequestBytes != 4<<20 || cfg.MaxInFlightItems != 50 || cfg.MaxInFlightBytes != 4<<20 || cfg.RetentionAge != 36*time.Hour || cfg.RetentionBytes != 500e6 || !cfg.Fsync ||
		cfg.MaxConnections != 64 || cfg.MaxAttributes != 128 || cfg.MaxValueBytes != 1<<20 || cfg.MaxEvents != 10 || cfg.MaxLinks != 20 {
		t.Fatalf("flags: %+v %s", cfg, stderr.String())
	}

	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if dir, err := serve.DefaultDataDir(); err != nil || dir != filepath.FromSlash("/home/u/.local/share/sightline") {
		t.Errorf("default data dir %q, %v", dir, err)
	}
}

// TestServeFlagErrors: every bad flag is named, with exit status 2.
func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--grpc", ":4317"}, `--grpc ":4317": the host is empty: write 127.0.0.1:4317 for loopback, or 0.0.0.0:4317`},
		{[]string{"--http", "localhost"}, `--http "localhost": want HOST:PORT`},
		{[]string{"--ui", "127.0.0.1:99999"}, `--ui "127.0.0.1:99999": the port "99999" is not a number`},
		{[]string{"--ui", ""}, `--ui "": want HOST:PORT`},
		{[]string{"--grpc", "", "--http", ""}, `--grpc and --http are both ""`},
		{[]string{"--max-request-bytes", "lots"}, `invalid value "lots" for flag -max-request-bytes: "lots" is not a size`},
		{[]string{"--max-request-bytes", "2GiB"}, `--max-request-bytes 2GiB: must be between 1KiB and 1GiB`},
		{[]string{"--max-in-flight", "0"}, `--max-in-flight 0: must be at least 1`},
		{[]string{"--max-in-flight-bytes", "8MiB"}, `--max-in-flight-bytes 8MiB: must be at least --max-request-bytes (16MiB) and at most 1TiB`},
		{[]string{"--max-request-bytes", "512MiB"}, `--max-in-flight-bytes 256MiB: must be at least --max-request-bytes (512MiB)`},
		{[]string{"--max-in-flight-bytes", "2TiB"}, `--max-in-flight-bytes 2TiB: must be at least --max-request-bytes (16MiB) and at most 1TiB`},
		{[]string{"--max-in-flight-bytes", "much"}, `invalid value "much" for flag -max-in-flight-bytes: "much" is not a size`},
		{[]string{"--max-connections", "0"}, `--max-connections 0: must be between 1 and 1048576`},
		{[]string{"--max-attributes", "-1"}, `--max-attributes -1: must be between 1 and 1048576`},
		{[]string{"--max-span-events", "0"}, `--max-span-events 0: must be between 1 and 1048576`},
		{[]string{"--max-span-links", "2000000"}, `--max-span-links 2000000: must be between 1 and 1048576`},
		{[]string{"--max-value-bytes", "65MiB"}, `--max-value-bytes 65MiB: must be between 1B and 64MiB`},
		{[]string{"--retention-age", "a week"}, `invalid value "a week" for flag -retention-age`},
		{[]string{"--retention-age", "30s"}, `--retention-age 30s: must be 0 (keep forever) or at least 1m`},
		{[]string{"--retention-size", "-1GiB"}, `invalid value "-1GiB" for flag -retention-size`},
		{[]string{"--retention-size", "100KiB"}, `--retention-size 100KiB: must be 0 (no cap) or at least 1MiB`},
		{[]string{"--data", "", "--grpc", "127.0.0.1:1"}, `--data: no data directory`},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--nope"}, `flag provided but not defined: -nope`},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(t.Context(), append([]string{"serve"}, c.args...), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), c.want) || !strings.Contains(stderr.String(), "usage: sightline serve") {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant %q", c.args, code, stderr.String(), c.want)
		}
	}
	var stderr bytes.Buffer
	if code := dispatch(t.Context(), []string{"serve", "-h"}, &stderr, &stderr); code != exitOK || !strings.Contains(stderr.String(), "--retention-age") && !strings.Contains(stderr.String(), "-retention-age") {
		t.Errorf("-h: %d %s", code, stderr.String())
	}
}

func TestParseSizesAndAges(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "1048576": 1 << 20, "16MiB": 16 << 20, "1GiB": 1 << 30, "1gib": 1 << 30,
		"1.5 KiB": 1536, "500MB": 500e6, "2kB": 2000, "7B": 7, "1TiB": 1 << 40} {
		if n, err := bytesize.Parse(s); err != nil || n != want {
			t.Errorf("bytesize.Parse(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "MiB", "-1", "1XB", "1e400", "ten"} {
		if _, err := bytesize.Parse(s); err == nil {
			t.Errorf("bytesize.Parse(%q): no error", s)
		}
	}
	for s, want := range map[string]time.Duration{"0": 0, "7d": 7 * 24 * time.Hour, "168h": 168 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute} {
		if d, err := parseAge(s); err != nil || d != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", s, d, err, want)
		}
	}
	for _, s := range []string{"", "d", "-1d", "-5m", "week", "7days"} {
		if _, err := parseAge(s); err == nil {
			t.Errorf("parseAge(%q): no error", s)
		}
	}
	if got := (ageFlag{new(7 * 24 * time.Hour)}).String(); got != "7d" {
		t.Errorf("ageFlag %q", got)
	}
	if got := bytesize.Exact(1536); got != "1536B" {
		t.Errorf("bytesize.Exact %q", got)
	}
}
