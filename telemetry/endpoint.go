package telemetry

import (
	"net"
	"net/url"
	"strings"
)

// Exporter names, as used in SIGHTLINE_TELEMETRY_*_EXPORTERS, properties and
// the admin API. More can be added with RegisterExporter.
const (
	ExporterConsole = "console" // stdout or stderr, OpenTelemetry Python's JSON shape
	ExporterFile    = "file"    // OTLP-JSON lines, or console JSON lines with "console:"; {pid} in the path is the process id
	ExporterHTTP    = "http"    // OTLP/HTTP (protobuf, or JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json)
	ExporterGRPC    = "grpc"    // OTLP/gRPC
	ExporterNone    = "none"    // no export
)

// ExporterMemory is the name package sightlinetest registers its in-memory
// exporter under (its endpoint URL is a name; see sightlinetest.Memory).
// It is not built in: a program that does not import sightlinetest refuses
// it like any unknown exporter.
const ExporterMemory = "memory"

// Signal is what an endpoint carries.
type Signal string

// The two signals sightline exports.
const (
	SignalTraces Signal = "traces"
	SignalLogs   Signal = "logs"
)

// Built-in endpoints for the OTLP exporters when none is configured: the
// addresses `sightline serve` listens on by default.
const (
	DefaultHTTPEndpoint = "http://127.0.0.1:4318"
	DefaultGRPCEndpoint = "grpc://127.0.0.1:4317"
)

// Endpoint is one export destination: an exporter and where it sends.
//
// URL depends on the exporter: console "stdout" or "stderr"; file a path
// (may contain {pid}), written as OTLP-JSON lines, or "console:" and a path,
// written as console JSON lines (see FileConsolePrefix); http an http(s) URL; grpc a grpc://, grpcs://, http://
// or https:// URL with host and port; none ""; a registered exporter what
// its registration accepts (sightlinetest's memory: a name).
type Endpoint struct {
	Exporter string `json:"exporter"`
	URL      string `json:"url"`
}

func (e Endpoint) String() string {
	if e.URL == "" {
		return e.Exporter
	}
	return e.Exporter + " " + e.URL
}

// ParseEndpoint checks an exporter name and its URL and returns the endpoint
// in normal form: console aliases cout/cerr become stdout/stderr, an http URL
// without a path gets /v1/traces or /v1/logs, an empty URL gets the
// exporter's default. The exporter is one of Exporters (built in, or added
// with RegisterExporter). The error says what is wrong and what is allowed.
func ParseEndpoint(signal Signal, exporter, rawURL string) (Endpoint, error) {
	exporter = strings.ToLower(strings.TrimSpace(exporter))
	rawURL = strings.TrimSpace(rawURL)
	reg := exporters.lookup(exporter)
	if rawURL == "" {
		rawURL = defaultURL(signal, exporter)
		if reg != nil {
			rawURL = reg.defaultURL
		}
	}
	// Endpoint lists are comma separated everywhere (environment, stored
	// properties), so an endpoint with a comma could not be read back.
	if strings.ContainsRune(rawURL, ',') {
		return Endpoint{}, badValue("an endpoint without commas (lists are comma separated)", "endpoint %q contains a comma", rawURL)
	}
	switch exporter {
	case ExporterConsole:
		switch strings.ToLower(rawURL) {
		case "stdout", "cout":
			return Endpoint{exporter, "stdout"}, nil
		case "stderr", "cerr":
			return Endpoint{exporter, "stderr"}, nil
		}
		return Endpoint{}, badValue("stdout, stderr, cout, cerr", "console endpoint %q is not a stream", rawURL)
	case ExporterFile:
		return parseFileEndpoint(rawURL)
	case ExporterHTTP:
		u, err := parseNetURL(rawURL, "http, https")
		if err != nil {
			return Endpoint{}, err
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/" + string(signal)
		}
		return Endpoint{exporter, u.String()}, nil
	case ExporterGRPC:
		u, err := parseNetURL(rawURL, "grpc, grpcs, http, https")
		if err != nil {
			return Endpoint{}, err
		}
		if u.Port() == "" {
			return Endpoint{}, badValue("grpc://host:port, grpcs://host:port", "grpc endpoint %q has no port", rawURL)
		}
		if u.Path != "" && u.Path != "/" {
			return Endpoint{}, badValue("grpc://host:port, grpcs://host:port", "grpc endpoint %q has a path; gRPC endpoints are host:port", rawURL)
		}
		u.Path = ""
		return Endpoint{exporter, u.String()}, nil
	case ExporterNone:
		return Endpoint{exporter, ""}, nil
	}
	if reg != nil {
		return reg.parse(signal, exporter, rawURL)
	}
	return Endpoint{}, badValue(allowedExporters(), "unknown exporter %q", exporter)
}

// parseNetURL checks that raw is an absolute URL with one of the schemes
// listed in allowed (comma separated) and a host.
func parseNetURL(raw, allowed string) (*url.URL, error) {
	want := "a URL with scheme " + allowed + " and a host, e.g. " + strings.Split(allowed, ",")[0] + "://127.0.0.1:4318"
	u, err := url.Parse(raw)
	if err != nil {
		return nil, badValue(want, "malformed URL %q", raw)
	}
	ok := false
	for _, s := range strings.Split(allowed, ", ") {
		ok = ok || u.Scheme == s
	}
	if !ok {
		return nil, badValue(want, "URL %q has scheme %q", raw, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, badValue(want, "URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return nil, badValue(want, "URL %q has a bad port %q", raw, p)
		}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, badValue(want, "URL %q has user info, a query or a fragment", raw)
	}
	return u, nil
}

// defaultURL is the endpoint an exporter uses when none is given.
func defaultURL(signal Signal, exporter string) string {
	switch exporter {
	case ExporterConsole:
		return "stdout"
	case ExporterFile:
		return "sightline-" + string(signal) + "-{pid}.jsonl"
	case ExporterHTTP:
		return DefaultHTTPEndpoint
	case ExporterGRPC:
		return DefaultGRPCEndpoint
	}
	return ""
}
