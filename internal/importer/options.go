package importer

import "fmt"

// Format is the format of an input file.
type Format string

// The formats Import reads.
const (
	// FormatAuto detects the format from the file's first JSON object.
	FormatAuto Format = "auto"
	// FormatConsole is OpenTelemetry Python's console exporter output.
	FormatConsole Format = "console"
	// FormatOTLP is OTLP-JSON export requests, one per line.
	FormatOTLP Format = "otlp"
)

// ParseFormat reads "auto", "console" or "otlp".
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatAuto, FormatConsole, FormatOTLP:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want auto, console or otlp)", s)
}

const (
	// DefaultBatchSize is how many spans (or log records) a batch holds at
	// most unless WithBatchSize says otherwise.
	DefaultBatchSize = 1000
	// defaultMaxRecord bounds one record, as the OTLP receivers bound one
	// request.
	defaultMaxRecord = 64 << 20
)

// Option configures Import. Options are values of the With* functions.
type Option interface{ apply(*config) }

// optionFunc is an Option that runs a function on the config.
type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	batchSize int
	format    Format
	progress  func(int64)
	maxRecord int64
}

func newConfig(opts []Option) (config, error) {
	c := config{batchSize: DefaultBatchSize, format: FormatAuto, maxRecord: defaultMaxRecord}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if _, err := ParseFormat(string(c.format)); err != nil {
		return c, fmt.Errorf("importer: %w", err)
	}
	return c, nil
}

// WithBatchSize sets the largest number of spans, and of log records, the
// sink is given at once. The default is DefaultBatchSize; n <= 0 keeps it.
func WithBatchSize(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.batchSize = n
		}
	})
}

// WithFormat reads the input as f instead of detecting its format.
func WithFormat(f Format) Option {
	return optionFunc(func(c *config) { c.format = f })
}

// WithProgress calls fn, on the goroutine calling Import, with the number
// of bytes read from the input so far, each time more are read.
func WithProgress(fn func(bytesRead int64)) Option {
	return optionFunc(func(c *config) { c.progress = fn })
}

// withMaxRecord changes the largest record accepted (tests).
func withMaxRecord(n int64) Option {
	return optionFunc(func(c *config) { c.maxRecord = n })
}
