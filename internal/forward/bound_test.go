package forward

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQueueDropOldest makes room by deleting whole oldest segments, and
// counts exactly the records and bytes dropped; what is left is the newest
// records, in order, within MaxBytes.
func TestQueueDropOldest(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, queueOptions{dir: dir, segmentBytes: 1 << 20, maxBytes: MinMaxBytes, dropOldest: true})
	const size, n = 64 << 10, 600
	// Forward the first 7 records: the drop counts only what was not.
	appendN64 := func(from, to int) {
		for i := from; i < to; i++ {
			if err := q.append(Traces, payloadOf(i, size), time.Now()); err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			if st := queueStats(q); st.QueueBytes > MinMaxBytes {
				t.Fatalf("after append %d: %d bytes queued", i, st.QueueBytes)
			}
		}
	}
	appendN64(0, 10)
	for range 7 {
		b, _ := q.next(1)
		q.ack(b)
	}
	appendN64(10, n)

	st := queueStats(q)
	var got []int
	for {
		b, err := q.next(1)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		got = append(got, numberOf(t, b.payload))
		q.ack(b)
	}
	if len(got) == 0 || got[len(got)-1] != n-1 {
		t.Fatalf("read %v", got)
	}
	first := got[0]
	wantRange(t, got, first, n)
	// 15 records of 64 KiB fill a segment: whole segments went.
	if first%15 != 0 {
		t.Errorf("the oldest record left is %d: not the start of a segment", first)
	}
	dropped := int64(first - 7)
	if st.Dropped.Full != (Count{Records: dropped, Bytes: dropped * size}) || st.QueueRecords != int64(n-first) {
		t.Errorf("stats %+v, want %d records dropped (%d bytes), %d queued", st, dropped, dropped*size, n-first)
	}
}

// TestQueueFullyForwardedRolls makes room in a queue whose every record
// was forwarded, even when they all sit in the active segment.
func TestQueueFullyForwardedRolls(t *testing.T) {
	q := openTestQueue(t, queueOptions{dir: t.TempDir(), segmentBytes: 1 << 30, maxBytes: MinMaxBytes})
	for i := range 300 {
		if err := q.append(Logs, payloadOf(i, 64<<10), time.Now()); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			for {
				b, _ := q.next(1 << 20)
				if b == nil {
					break
				}
				q.ack(b)
			}
			if err := q.append(Logs, payloadOf(i, 64<<10), time.Now()); err != nil {
				t.Fatalf("append %d after forwarding everything: %v", i, err)
			}
		}
	}
}

// TestQueueTooLarge refuses records that can never fit.
func TestQueueTooLarge(t *testing.T) {
	q := openTestQueue(t, queueOptions{dir: t.TempDir(), segmentBytes: 1 << 20, maxBytes: MinMaxBytes, dropOldest: true})
	if err := q.append(Traces, make([]byte, MaxRecordBytes+1), time.Now()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a record over MaxRecordBytes: %v", err)
	}
	if err := q.append(Traces, make([]byte, MinMaxBytes), time.Now()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a record over MaxBytes: %v", err)
	}
	if err := q.append(Signal(3), []byte("x"), time.Now()); err == nil {
		t.Error("signal 3 accepted")
	}
	// A record larger than SegmentBytes gets a segment of its own.
	for _, size := range []int{10, 3 << 20, 10} {
		if err := q.append(Logs, make([]byte, size), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if st := queueStats(q); st.Segments != 3 || st.QueueRecords != 3 {
		t.Errorf("stats %+v, want 3 segments (small, big, small)", st)
	}
}

// TestConfigValidate names the field, the value and what is allowed.
func TestConfigValidate(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"max bytes small", func(c *Config) { c.MaxBytes = 1 << 20 }, "Config.MaxBytes 1MiB: must be between 16MiB and 1TiB"},
		{"max bytes large", func(c *Config) { c.MaxBytes = 2 << 40 }, "Config.MaxBytes 2TiB: must be between 16MiB and 1TiB"},
		{"dir", func(c *Config) { c.Dir = "" }, `Config.Dir "": the queue directory is required`},
		{"when full", func(c *Config) { c.WhenFull = "drop" }, `Config.WhenFull "drop": must be block or drop-oldest`},
		{"segment", func(c *Config) { c.SegmentBytes = 1000 }, "Config.SegmentBytes 1000B: must be between 64KiB and 1GiB"},
		{"batch", func(c *Config) { c.BatchBytes = 0 }, "Config.BatchBytes 0B: must be between 1KiB and 64MiB"},
		{"compression", func(c *Config) { c.Compression = "zstd" }, `Config.Compression "zstd": must be gzip or none`},
		{"timeout", func(c *Config) { c.Timeout = 0 }, "Config.Timeout 0s: must be more than 0"},
		{"backoff", func(c *Config) { c.BackoffMax = time.Millisecond }, "Config.BackoffInitial 100ms, Config.BackoffMax 1ms"},
		{"url empty", func(c *Config) { c.URL = "" }, `Config.URL "": the upstream is required`},
		{"url scheme", func(c *Config) { c.URL = "ftp://host:21" }, `Config.URL "ftp://host:21": the scheme must be grpc, grpcs, http or https`},
		{"url host", func(c *Config) { c.URL = "http:///v1" }, `Config.URL "http:///v1": the host is missing`},
		{"url grpc port", func(c *Config) { c.URL = "grpc://collector" }, `Config.URL "grpc://collector": the port is missing`},
		{"url grpc path", func(c *Config) { c.URL = "grpcs://collector:4317/x" }, "a gRPC URL has no path"},
		{"url query", func(c *Config) { c.URL = "https://collector/otlp?x=1" }, "want no query or fragment"},
		{"url password hidden", func(c *Config) { c.URL = "ftp://me:secret@host" }, `Config.URL "ftp://me:xxxxx@host"`},
		{"url parse", func(c *Config) { c.URL = "http://[::1" }, "Config.URL: not a URL: missing ']' in host"},
		{"ca without tls", func(c *Config) { c.CAFile = ca }, "Config.CAFile " + `"` + ca + `": only for a grpcs:// or https:// URL`},
		{"ca not pem", func(c *Config) { c.URL, c.CAFile = "https://collector", ca }, "Config.CAFile " + `"` + ca + `": no PEM certificate in it`},
		{"ca missing", func(c *Config) { c.URL, c.CAFile = "grpcs://collector:4317", ca+"x" }, "no such file or directory"},
		{"header name", func(c *Config) { c.Headers = map[string]string{"bad name": "v"} }, `Config.Headers["bad name"]: not a valid header name`},
		{"header reserved", func(c *Config) { c.Headers = map[string]string{"Content-Type": "v"} }, `Config.Headers["Content-Type"]: set by the forwarder`},
		{"header value", func(c *Config) { c.Headers = map[string]string{"authorization": "secret\n"} }, `Config.Headers["authorization"]: the value (not shown)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Dir, cfg.URL = t.TempDir(), "http://127.0.0.1:4318"
			tc.set(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows a secret: %v", err)
			}
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v", err)
			}
		})
	}
	cfg := DefaultConfig()
	cfg.Dir, cfg.URL = t.TempDir(), "grpcs://collector.example:4317"
	cfg.Headers = map[string]string{"Authorization": "Bearer x", "x-scope-orgid": "bl12"}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// TestParseUpstream reads the URL schemes.
func TestParseUpstream(t *testing.T) {
	for _, tc := range []struct {
		url, target, display string
		grpc, tls            bool
		auth                 bool
	}{
		{"grpc://127.0.0.1:4317", "127.0.0.1:4317", "grpc://127.0.0.1:4317", true, false, false},
		{"grpcs://collector:443/", "collector:443", "grpcs://collector:443", true, true, false},
		{"http://127.0.0.1:4318", "http://127.0.0.1:4318", "http://127.0.0.1:4318", false, false, false},
		{"https://u:p@tempo.example/otlp/", "https://tempo.example/otlp", "https://tempo.example/otlp", false, true, true},
		{"grpc://[::1]:4317", "[::1]:4317", "grpc://[::1]:4317", true, false, false},
	} {
		up, err := parseUpstream(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if up.target != tc.target || up.display != tc.display || up.grpc != tc.grpc || up.tls != tc.tls || (up.basicAuth != "") != tc.auth {
			t.Errorf("%s: %+v", tc.url, up)
		}
	}
	up, _ := parseUpstream("https://u:p@tempo.example")
	h := Config{Headers: map[string]string{"X-Org": "1"}}.headers(up)
	if h["authorization"] != "Basic dTpw" || h["x-org"] != "1" {
		t.Errorf("headers %v", h)
	}
	h = Config{Headers: map[string]string{"Authorization": "Bearer t"}}.headers(up)
	if h["authorization"] != "Bearer t" {
		t.Errorf("a configured authorization header lost to userinfo: %v", h)
	}
}
