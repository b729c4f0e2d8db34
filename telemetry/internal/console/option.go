package console

// defaultIndent is the number of spaces per nesting level used when no
// [WithIndent] option is given. It matches the default of OpenTelemetry
// Python's to_json (json.dumps(indent=4)).
const defaultIndent = 4

// config holds the settings shared by [SpanExporter] and [LogExporter].
type config struct {
	// indent is the number of spaces per nesting level; 0 selects the
	// compact one-object-per-line form.
	indent int
}

func newConfig(opts []Option) config {
	c := config{indent: defaultIndent}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// Option configures a [SpanExporter] or a [LogExporter].
//
// The interface is sealed: options are created only by the With* functions
// of this package.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithIndent sets the number of spaces used per nesting level.
//
// The default, 4, matches OpenTelemetry Python's ConsoleSpanExporter and
// ConsoleLogRecordExporter. 0 (or a negative value) selects the compact form,
// which is what json.dumps(indent=None) prints (and what Ray writes): one
// object per line, with ", " between items and ": " after keys.
func WithIndent(n int) Option {
	if n < 0 {
		n = 0
	}
	return optionFunc(func(c *config) { c.indent = n })
}
