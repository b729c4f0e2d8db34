package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/serve"
)

// writeCA writes a self-signed certificate authority as PEM to path.
func writeCA(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// envOf is a lookupEnv over a map.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestServeSettingsPrecedence: each setting comes from the highest of the
// sources that set it: defaults < config file < environment < flags, for
// every combination of sources; a list (the headers) is replaced whole by
// a higher source, not merged.
func TestServeSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"file.pem", "env.pem", "flag.pem"} {
		writeCA(t, filepath.Join(dir, name))
	}
	type layer struct {
		url, ca, compression, timeout, queue, whenFull, retention string
		headers                                                   map[string]string
	}
	layers := [3]layer{ // file, environment, flags
		{"https://file.example:4318", filepath.Join(dir, "file.pem"), "none", "20s", "8GiB", "drop-oldest", "72h", map[string]string{"authorization": "Bearer file", "x-file": "1"}},
		{"grpcs://env.example:4317", filepath.Join(dir, "env.pem"), "gzip", "30s", "4GiB", "block", "", map[string]string{"authorization": "Bearer env,with comma"}},
		{"https://flag.example/otlp", filepath.Join(dir, "flag.pem"), "none", "40s", "1GiB", "drop-oldest", "1d", map[string]string{"authorization": "Bearer flag"}},
	}
	def := serve.DefaultConfig()
	for mask := range 8 {
		var sources []string
		for i, name := range []string{"file", "env", "flags"} {
			if mask&(1<<i) != 0 {
				sources = append(sources, name)
			}
		}
		t.Run(strings.Join(append([]string{"defaults"}, sources...), "<"), func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", dir)
			env := map[string]string{}
			var args []string
			if mask&1 != 0 {
				l := layers[0]
				var hdrs []string
				for k, v := range l.headers {
					hdrs = append(hdrs, k+"="+v)
				}
				b, _ := json.Marshal(map[string]any{"forward": l.url, "forward-ca": l.ca, "forward-compression": l.compression,
					"forward-timeout": l.timeout, "forward-queue-size": l.queue, "forward-when-full": l.whenFull,
					"retention-age": l.retention, "forward-header": hdrs, "max-in-flight": 5000, "fsync": true,
					"sampling": map[string]any{"decision_wait": "5s", "policies": []any{map[string]any{"name": "errors", "type": "error"}}}})
				path := filepath.Join(t.TempDir(), "serve.json")
				if err := os.WriteFile(path, b, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", path)
			}
			if mask&2 != 0 {
				l := layers[1]
				env = map[string]string{"SIGHTLINE_SERVE_FORWARD": l.url, "SIGHTLINE_SERVE_FORWARD_CA": l.ca,
					"SIGHTLINE_SERVE_FORWARD_COMPRESSION": l.compression, "SIGHTLINE_SERVE_FORWARD_TIMEOUT": l.timeout,
					"SIGHTLINE_SERVE_FORWARD_QUEUE_SIZE": l.queue, "SIGHTLINE_SERVE_FORWARD_WHEN_FULL": l.whenFull,
					"SIGHTLINE_SERVE_FORWARD_HEADERS": "authorization=Bearer%20env%2Cwith%20comma"}
			}
			if mask&4 != 0 {
				l := layers[2]
				args = append(args, "--forward", l.url, "--forward-ca", l.ca, "--forward-compression", l.compression,
					"--forward-timeout", l.timeout, "--forward-queue-size", l.queue, "--forward-when-full", l.whenFull,
					"--retention-age", l.retention, "--forward-header", "Authorization=Bearer flag")
			}
			var stderr bytes.Buffer
			cfg, code, ok := parseServeSettings(args, envOf(env), &stderr)
			if !ok {
				t.Fatalf("exit %d:\n%s", code, stderr.String())
			}
			// The expected value of each setting: its highest source's.
			want := layer{def.ForwardURL, def.ForwardCAFile, def.ForwardCompression, def.ForwardTimeout.String(),
				"2GiB", string(def.ForwardWhenFull), "168h0m0s", nil}
			for i := range 3 {
				if mask&(1<<i) == 0 {
					continue
				}
				l := layers[i]
				want.url, want.ca, want.compression, want.timeout, want.queue, want.whenFull, want.headers =
					l.url, l.ca, l.compression, l.timeout, l.queue, l.whenFull, l.headers
				if l.retention != "" {
					d, _ := parseAge(l.retention)
					want.retention = d.String()
				}
			}
			queue, _ := byteSize{&cfg.ForwardQueueBytes}.Get().(int64)
			wantQueue := func() int64 { n, _ := parseSize(want.queue); return n }()
			got := layer{cfg.ForwardURL, cfg.ForwardCAFile, cfg.ForwardCompression, cfg.ForwardTimeout.String(),
				want.queue, string(cfg.ForwardWhenFull), cfg.RetentionAge.String(), cfg.ForwardHeaders}
			if fmt.Sprint(got) != fmt.Sprint(want) || queue != wantQueue {
				t.Errorf("settings:\n%+v (queue %d)\nwant\n%+v (queue %d)", got, queue, want, wantQueue)
			}
			// Keys only the file sets keep its values whatever the others set.
			if fileOnly := mask&1 != 0; (cfg.MaxInFlightItems == 5000) != fileOnly || cfg.Fsync != fileOnly {
				t.Errorf("max-in-flight %d, fsync %v; from the file: %v", cfg.MaxInFlightItems, cfg.Fsync, fileOnly)
			}
			if fileOnly := mask&1 != 0; fileOnly != (cfg.Sampling != nil) ||
				fileOnly && (time.Duration(cfg.Sampling.DecisionWait) != 5*time.Second || len(cfg.Sampling.Policies) != 1 || cfg.Sampling.Policies[0].Type != "error") {
				t.Errorf("sampling %+v; from the file: %v", cfg.Sampling, fileOnly)
			}
		})
	}
}

func parseSize(s string) (int64, error) {
	var n int64
	err := byteSize{&n}.Set(s)
	return n, err
}

// TestServeSettingsErrors: a bad value names the flag, the variable or
// the config file's key, the value (never a header's) and what is allowed;
// a setting refused by Validate says which source set it; exit status 2.
func TestServeSettingsErrors(t *testing.T) {
	const secret = "s3cret-a7c1"
	dir := t.TempDir()
	file := func(body string) string {
		path := filepath.Join(t.TempDir(), "serve.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct {
		name string
		file string // the config file's content, if any
		env  map[string]string
		args []string
		want []string // each in stderr, with F the file's path
	}{
		{name: "unknown key", file: `{"forwrd": "grpc://gw:4317"}`,
			want: []string{`--config F: unknown key "forwrd": the keys are serve's flag names without dashes`}},
		{name: "dashes", file: `{"--forward": "grpc://gw:4317"}`,
			want: []string{`--config F: unknown key "--forward": write flag names without dashes, such as "forward"`}},
		{name: "sampling without forward", file: `{"sampling": {"policies": [{"name": "errors", "type": "error"}]}}`,
			want: []string{`config file key "sampling": needs --forward`}},
		{name: "bad sampling", file: `{"forward": "grpc://gw:4317", "sampling": {"decision_wait": "1ms", "policies": [{"name": "x", "type": "nope"}]}}`,
			want: []string{`--config F: key "sampling": decision_wait = 1ms: allowed from 100ms to 1h0m0s`,
				`--config F: key "sampling": policies[0] (x).type = "nope": allowed`}},
		{name: "config in config", file: `{"config": "other.json"}`,
			want: []string{`--config F: key "config": a config file cannot name another`}},
		{name: "types", file: `{"forward-queue-size": true, "fsync": "yes", "max-in-flight": 1.5, "forward-timeout": 10, "grpc": 4317, "retention-age": null}`,
			want: []string{
				`--config F: "forward-queue-size": true is a boolean: want a size: a string such as "8GiB" or "500MB", or a whole number of bytes`,
				`--config F: "fsync": "yes" is a string: want true or false`,
				`--config F: "max-in-flight": 1.5 is a number: want a whole number`,
				`--config F: "forward-timeout": 10 is a number: want a duration, as a string such as "72h", "90s" or "7d"`,
				`--config F: "grpc": 4317 is a number: want a string`,
				`--config F: "retention-age": null: want a duration`}},
		{name: "bad value in file", file: `{"forward-queue-size": "lots"}`,
			want: []string{`--config F: "forward-queue-size": "lots" is not a size`}},
		{name: "headers in file", file: `{"forward-header": ["authorization=Bearer ` + secret + `", "` + secret + `", 5]}`,
			want: []string{`--config F: "forward-header": element 2 is not KEY=VALUE (values are not shown)`}},
		{name: "header object in file", file: `{"forward": "grpc://gw:4317", "forward-header": {"bad key": "` + secret + `"}}`,
			want: []string{`--forward-header "bad key": not a valid header name (set by "forward-header" in F)`}},
		{name: "not an object", file: `["forward"]`, want: []string{`--config F: not a JSON object of settings`}},
		{name: "not JSON", file: `{"forward": }`, want: []string{`--config F: not JSON: `}},
		{name: "twice", file: `{"ui": "127.0.0.1:1", "ui": "127.0.0.1:2"}`, want: []string{`--config F: key "ui" appears twice`}},
		{name: "trailing", file: `{"ui": "127.0.0.1:1"} {}`, want: []string{`--config F: more after the object's end`}},
		{name: "missing file", args: []string{"--config", filepath.Join(dir, "none.json")},
			want: []string{`--config ` + filepath.Join(dir, "none.json") + `: open `}},
		{name: "validated from file", file: `{"retention-age": "30s", "forward": "grpc://gw:4317", "forward-queue-size": "20MiB"}`,
			want: []string{`--retention-age 30s: must be 0 (keep forever) or at least 1m (set by "retention-age" in F)`,
				`--forward-queue-size 20MiB: must be at least twice --max-request-bytes (16MiB), so that any request received can be queued (set by "forward-queue-size" in F)`}},
		{name: "env values", env: map[string]string{"SIGHTLINE_SERVE_FORWARD": "ftp://gw", "SIGHTLINE_SERVE_FORWARD_TIMEOUT": "soon",
			"SIGHTLINE_SERVE_FORWARD_QUEUE_SIZE": "lots", "SIGHTLINE_SERVE_FORWARD_WHEN_FULL": "never", "SIGHTLINE_SERVE_FORWARD_COMPRESSION": "br"},
			want: []string{`$SIGHTLINE_SERVE_FORWARD_TIMEOUT: "soon" is not a duration: want a Go duration more than 0, such as 10s or 1m30s`,
				`$SIGHTLINE_SERVE_FORWARD_QUEUE_SIZE: "lots" is not a size`,
				`--forward "ftp://gw": the scheme must be grpc, grpcs, http or https (set by $SIGHTLINE_SERVE_FORWARD)`,
				`--forward-when-full "never": must be block or drop-oldest (set by $SIGHTLINE_SERVE_FORWARD_WHEN_FULL)`,
				`--forward-compression "br": must be gzip or none (set by $SIGHTLINE_SERVE_FORWARD_COMPRESSION)`}},
		{name: "env headers", env: map[string]string{"SIGHTLINE_SERVE_FORWARD_HEADERS": "x-a=1, Bearer " + secret},
			want: []string{`$SIGHTLINE_SERVE_FORWARD_HEADERS: entry 2 is not key=value (values are not shown)`}},
		{name: "env header encoding", env: map[string]string{"SIGHTLINE_SERVE_FORWARD_HEADERS": "authorization=" + secret + "%zz"},
			want: []string{`$SIGHTLINE_SERVE_FORWARD_HEADERS: the value of "authorization" is not percent-encoded correctly (it is not shown)`}},
		{name: "flag header", args: []string{"--forward", "grpc://gw:4317", "--forward-header", "Bearer " + secret, "--forward-header", "x-b=" + secret + "\x01"},
			want: []string{`--forward-header: an entry is not KEY=VALUE (values are not shown)`,
				`--forward-header "x-b": the value (not shown) has characters other than printable ASCII`}},
		{name: "flags beat the file", file: `{"forward-queue-size": "1MiB", "forward": "grpc://gw:4317"}`, args: []string{"--forward-queue-size", "2MiB"},
			want: []string{"--forward-queue-size 2MiB: must be between 16MiB and 1TiB\n"}},
		{name: "ca without TLS", args: []string{"--forward", "http://gw:4318", "--forward-ca", filepath.Join(dir, "ca.pem")},
			want: []string{`--forward-ca "` + filepath.Join(dir, "ca.pem") + `": only for a grpcs:// or https:// URL (the URL is http://gw:4318)`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", dir)
			args := c.args
			path := ""
			if c.file != "" {
				path = file(c.file)
				args = append([]string{"--config", path}, args...)
			}
			var stderr bytes.Buffer
			_, code, ok := parseServeSettings(args, envOf(c.env), &stderr)
			out := stderr.String()
			if ok || code != exitUsage || !strings.Contains(out, "usage: sightline serve") {
				t.Errorf("ok %v, exit %d, want a usage error:\n%s", ok, code, out)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, " F", " "+path); !strings.Contains(out, "sightline serve: "+w) {
					t.Errorf("stderr lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, secret) {
				t.Errorf("a header value in the errors:\n%s", out)
			}
		})
	}
}

// TestServeSettingsHelp: the help lists the new flags, and a header set
// from any source never shows in it.
func TestServeSettingsHelp(t *testing.T) {
	var stderr bytes.Buffer
	env := map[string]string{"SIGHTLINE_SERVE_FORWARD_HEADERS": "authorization=Bearer%20s3cret"}
	if _, code, ok := parseServeSettings([]string{"-h"}, envOf(env), &stderr); ok || code != exitOK {
		t.Fatalf("-h: exit %d", code)
	}
	for _, flag := range []string{"-config FILE", "-forward URL", "-forward-header KEY=VALUE", "-forward-ca FILE", "-forward-compression",
		"-forward-timeout DURATION", "-forward-queue-size SIZE", "-forward-when-full", "SIGHTLINE_SERVE_FORWARD_HEADERS"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("help lacks %q:\n%s", flag, stderr.String())
		}
	}
	h := &headerFlag{m: new(map[string]string)}
	_ = h.Set("Authorization=Bearer s3cret")
	_ = h.Set("x-tenant=bl12")
	if got := h.String(); got != "authorization=...,x-tenant=..." || strings.Contains(fmt.Sprint(h), "s3cret") {
		t.Errorf("headerFlag.String() = %q", got)
	}
	if forward.Block != "block" || forward.DropOldest != "drop-oldest" {
		t.Error("the policies' names changed: update the flag's help and docs/api.md")
	}
}
