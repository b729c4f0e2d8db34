package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/sampling"
	"github.com/sightline-dev/sightline/internal/serve"
)

// maxConfigFileBytes bounds --config's file.
const maxConfigFileBytes = 1 << 20

// serveEnv are the environment variables of serve's settings, each the
// flag it stands for. SIGHTLINE_SERVE_FORWARD_HEADERS holds every header:
// key=value pairs separated by commas, values percent-encoded, as in
// OTEL_EXPORTER_OTLP_HEADERS.
var serveEnv = []struct{ name, flag string }{
	{"SIGHTLINE_SERVE_FORWARD", "forward"},
	{"SIGHTLINE_SERVE_FORWARD_HEADERS", "forward-header"},
	{"SIGHTLINE_SERVE_FORWARD_CA", "forward-ca"},
	{"SIGHTLINE_SERVE_FORWARD_COMPRESSION", "forward-compression"},
	{"SIGHTLINE_SERVE_FORWARD_TIMEOUT", "forward-timeout"},
	{"SIGHTLINE_SERVE_FORWARD_QUEUE_SIZE", "forward-queue-size"},
	{"SIGHTLINE_SERVE_FORWARD_WHEN_FULL", "forward-when-full"},
}

// parseServeSettings reads serve's settings, lowest precedence first: the
// defaults, --config's file, the environment (lookupEnv), the flags. Every
// error names the flag, variable or key that was wrong, with its value
// (never a header's) and what is allowed, and an error of a setting that
// did not come from a flag says where it came from. ok is false when the
// command should exit with code.
func parseServeSettings(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (serve.Config, int, bool) {
	// First the flags alone: usage errors, -h, and which file to read.
	var file string
	scratch := serve.DefaultConfig()
	if err := serveFlagSet(&scratch, &file, stderr).Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return scratch, exitOK, false
		}
		return scratch, exitUsage, false
	}

	cfg := serve.DefaultConfig()
	fs := serveFlagSet(&cfg, new(string), stderr)
	from := map[string]string{} // flag name -> where its value came from, if not a flag
	var errs []error
	if file != "" {
		errs = append(errs, applyConfigFile(fs, &cfg, file, from)...)
	}
	newSource(fs)
	errs = append(errs, applyEnv(fs, lookupEnv, from)...)
	newSource(fs)
	_ = fs.Parse(args) // as above, so without error
	fs.Visit(func(f *flag.Flag) { delete(from, f.Name) })
	fs.VisitAll(func(f *flag.Flag) {
		if h, ok := f.Value.(*headerFlag); ok {
			errs = append(errs, h.errs...)
		}
	})
	if err := cfg.Validate(); err != nil {
		errs = append(errs, saidWhere(err, from))
	}
	if fs.NArg() > 0 {
		errs = append([]error{fmt.Errorf("unexpected argument %q: serve takes only flags", fs.Arg(0))}, errs...)
	}
	if err := errors.Join(errs...); err != nil {
		serveErrorLines(stderr, err)
		fmt.Fprintln(stderr)
		fs.Usage()
		return cfg, exitUsage, false
	}
	return cfg, exitOK, true
}

// newSource makes the repeatable flags' next values replace, not extend,
// what an earlier source set.
func newSource(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if h, ok := f.Value.(*headerFlag); ok {
			h.newSource()
		}
	})
}

// flagLineRE finds the flag an error line of Config.Validate starts with.
var flagLineRE = regexp.MustCompile(`^--([a-z-]+)`)

// saidWhere adds, to each line of err that names a setting which came
// from the config file or the environment, where it came from.
func saidWhere(err error, from map[string]string) error {
	var lines []string
	for line := range strings.Lines(err.Error()) {
		line = strings.TrimSuffix(line, "\n")
		if m := flagLineRE.FindStringSubmatch(line); m != nil && from[m[1]] != "" {
			line += " (set by " + from[m[1]] + ")"
		}
		lines = append(lines, line)
	}
	return errors.New(strings.Join(lines, "\n"))
}

// applyEnv sets the flags of the variables in serveEnv that are set and
// not empty (an empty variable is unset, as OpenTelemetry's are).
func applyEnv(fs *flag.FlagSet, lookupEnv func(string) (string, bool), from map[string]string) []error {
	var errs []error
	for _, e := range serveEnv {
		v, ok := lookupEnv(e.name)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		f := fs.Lookup(e.flag)
		if _, isHeaders := f.Value.(*headerFlag); isHeaders {
			pairs, err := envHeaders(e.name, v)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, p := range pairs {
				_ = f.Value.Set(p)
			}
		} else if err := f.Value.Set(strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("$%s: %w", e.name, err))
			continue
		}
		from[e.flag] = "$" + e.name
	}
	return errs
}

// envHeaders reads SIGHTLINE_SERVE_FORWARD_HEADERS: key=value pairs
// separated by commas, values percent-encoded. Errors never quote a value.
func envHeaders(name, v string) ([]string, error) {
	var pairs []string
	for i, item := range strings.Split(v, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, val, ok := strings.Cut(item, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return nil, fmt.Errorf("$%s: entry %d is not key=value (values are not shown): want key=value pairs separated by commas, values percent-encoded", name, i+1)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("$%s: the value of %q is not percent-encoded correctly (it is not shown): write %%2C for a comma, %%25 for %%", name, k)
		}
		pairs = append(pairs, k+"="+dv)
	}
	return pairs, nil
}

// applyConfigFile sets the flags named by the keys of the JSON object in
// path. Every key is a flag's name; a value's JSON type must suit its
// flag (see jsonSettings). The "sampling" key, which is no flag, sets
// cfg.Sampling.
func applyConfigFile(fs *flag.FlagSet, cfg *serve.Config, path string, from map[string]string) []error {
	b, err := readConfigFile(path)
	if err != nil {
		return []error{fmt.Errorf("--config %s: %w", path, err)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return []error{fmt.Errorf("--config %s: not a JSON object of settings, such as {\"forward\": \"grpc://gw:4317\"}", path)}
	}
	var errs []error
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return append(errs, fmt.Errorf("--config %s: not JSON: %w", path, err))
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return append(errs, fmt.Errorf("--config %s: not JSON: %w", path, err))
		}
		if seen[key] {
			errs = append(errs, fmt.Errorf("--config %s: key %q appears twice", path, key))
			continue
		}
		seen[key] = true
		if err := applyConfigKey(fs, cfg, key, raw); err != nil {
			for line := range strings.SplitSeq(err.Error(), "\n") {
				errs = append(errs, fmt.Errorf("--config %s: %s", path, line))
			}
			continue
		}
		from[key] = fmt.Sprintf("%q in %s", key, path)
	}
	if _, err := dec.Token(); err != nil {
		return append(errs, fmt.Errorf("--config %s: not JSON: %w", path, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return append(errs, fmt.Errorf("--config %s: more after the object's end", path))
	}
	return errs
}

// readConfigFile reads at most maxConfigFileBytes of path.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigFileBytes)
	}
	return b, nil
}

// applyConfigKey sets the flag key to the JSON value raw, or, for
// "sampling", cfg.Sampling to the policies of raw.
func applyConfigKey(fs *flag.FlagSet, cfg *serve.Config, key string, raw json.RawMessage) error {
	switch {
	case key == "sampling":
		sc, err := sampling.Parse(raw)
		if err != nil {
			var lines []string
			for line := range strings.SplitSeq(err.Error(), "\n") {
				lines = append(lines, `key "sampling": `+strings.TrimPrefix(line, "sampling: "))
			}
			return errors.New(strings.Join(lines, "\n"))
		}
		cfg.Sampling = &sc
		return nil
	case key == "config":
		return errors.New(`key "config": a config file cannot name another`)
	case strings.HasPrefix(key, "-"):
		return fmt.Errorf("unknown key %q: write flag names without dashes, such as %q", key, strings.TrimLeft(key, "-"))
	}
	f := fs.Lookup(key)
	if f == nil {
		return fmt.Errorf("unknown key %q: the keys are serve's flag names without dashes (sightline serve -h)", key)
	}
	values, err := jsonSettings(f, raw)
	if err != nil {
		return fmt.Errorf("%q: %w", key, err)
	}
	for _, v := range values {
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
	}
	return nil
}

// jsonSettings turns a config file's value for flag f into the strings
// to set it to, checking the JSON type against the flag's: a string for
// text (addresses, paths, URLs, policies) and durations ("72h", "7d"); a
// boolean for switches; an integer for counts; a string ("8GiB") or an
// integer of bytes for sizes; for headers an array of "KEY=VALUE"
// strings, or an object of string values.
func jsonSettings(f *flag.Flag, raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	getter, _ := f.Value.(flag.Getter)
	var current any
	if getter != nil {
		current = getter.Get()
	}
	wrong := func(want string) error {
		if v == nil {
			return fmt.Errorf("null: want %s", want)
		}
		return fmt.Errorf("%s is %s: want %s", shortJSON(raw), jsonKind(v), want)
	}
	switch current.(type) {
	case map[string]string: // headers: values never shown
		return jsonHeaders(v)
	case bool:
		if b, ok := v.(bool); ok {
			return []string{fmt.Sprint(b)}, nil
		}
		return nil, wrong("true or false")
	case int:
		if n, ok := v.(json.Number); ok && !strings.ContainsAny(n.String(), ".eE") {
			return []string{n.String()}, nil
		}
		return nil, wrong("a whole number")
	case int64:
		if n, ok := v.(json.Number); ok && !strings.ContainsAny(n.String(), ".eE-") {
			return []string{n.String()}, nil
		}
		if s, ok := v.(string); ok {
			return []string{s}, nil
		}
		return nil, wrong(`a size: a string such as "8GiB" or "500MB", or a whole number of bytes`)
	case time.Duration:
		if s, ok := v.(string); ok {
			return []string{s}, nil
		}
		return nil, wrong(`a duration, as a string such as "72h", "90s" or "7d"`)
	default:
		if s, ok := v.(string); ok {
			return []string{s}, nil
		}
		return nil, wrong("a string")
	}
}

// jsonHeaders reads headers from a config file: ["key=value", ...] or
// {"key": "value", ...}. Errors never quote a value.
func jsonHeaders(v any) ([]string, error) {
	const allowed = `an array of "KEY=VALUE" strings, or an object of string values`
	var pairs []string
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("element %d is %s: want %s", i+1, jsonKind(e), allowed)
			}
			if k, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("element %d is not KEY=VALUE (values are not shown): want %s", i+1, allowed)
			}
			pairs = append(pairs, s)
		}
	case map[string]any:
		for k, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("the value of %q is %s: want %s", k, jsonKind(e), allowed)
			}
			pairs = append(pairs, k+"="+s)
		}
	default:
		return nil, fmt.Errorf("a header list is %s: want %s", jsonKind(v), allowed)
	}
	return pairs, nil
}

// jsonKind names a decoded JSON value's type: "a string", "a number", ...
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return "null"
	}
}

// shortJSON is raw for a message, cut after 60 characters.
func shortJSON(raw json.RawMessage) string {
	r := []rune(strings.Join(strings.Fields(string(raw)), " "))
	if len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return string(r)
}
