package otlpjson

// WithBackoff exposes the retry backoff override to the external tests.
var WithBackoff = withBackoff
