package otelcoltest

import (
	"fmt"
	"strconv"
	"strings"
)

// Option changes what [Start] starts.
type Option interface{ apply(*settings) }

type settings struct {
	failFirst int
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithFailFirst makes the exporter refuse the first n requests of each
// signal (counted from each start of the collector) with a retryable
// error: the OTLP receiver answers them gRPC UNAVAILABLE or HTTP 503 and
// writes nothing. 0, the default, refuses none.
func WithFailFirst(n int) Option { return optionFunc(func(s *settings) { s.failFirst = n }) }

// files are the ports and files of one configuration.
type files struct {
	grpcAddr, httpAddr   string // host:port
	tracesPath, logsPath string
	failFirst            int
}

// configYAML is the collector's configuration for f: the OTLP receiver
// over gRPC and HTTP, and a pipeline per signal, with no processor (so
// that the exporter's answer is the sender's), into the jsonlines
// exporter. docs/scaling.md shows it (TestScalingDocShowsTheConfig).
func configYAML(f files) string {
	var b strings.Builder
	fmt.Fprintf(&b, `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
      http:
        endpoint: %s
exporters:
`, f.grpcAddr, f.httpAddr)
	for _, e := range []struct{ name, path string }{{"traces", f.tracesPath}, {"logs", f.logsPath}} {
		fmt.Fprintf(&b, "  jsonlines/%s:\n    path: %s\n", e.name, strconv.Quote(e.path))
		if f.failFirst > 0 {
			fmt.Fprintf(&b, "    fail_first: %d\n", f.failFirst)
		}
	}
	b.WriteString(`service:
  telemetry:
    logs:
      level: info
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jsonlines/traces]
    logs:
      receivers: [otlp]
      exporters: [jsonlines/logs]
`)
	return b.String()
}
