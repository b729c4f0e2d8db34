package httptrace

// The excluded-URL variables of OpenTelemetry Python
// (opentelemetry-util-http's get_excluded_urls), which asgi-monitor's
// FastAPI TracingConfig (exclude_urls_env_key "FASTAPI") and
// opentelemetry-instrumentation-fastapi read: a FastAPI service's settings
// keep working when the service is rewritten in Go.
const (
	// OTelPythonExcludedURLsEnv is OpenTelemetry Python's generic variable,
	// read by Middleware (unless OTelPythonFastAPIExcludedURLsEnv is set)
	// and by Transport.
	OTelPythonExcludedURLsEnv = "OTEL_PYTHON_EXCLUDED_URLS"
	// OTelPythonFastAPIExcludedURLsEnv is FastAPI's (and asgi-monitor's)
	// variable, read by Middleware. When it is set, even empty, it
	// replaces OTelPythonExcludedURLsEnv, as in OpenTelemetry Python.
	OTelPythonFastAPIExcludedURLsEnv = "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS"
)

// otelPythonExcluded adds to m the excluded URLs of OpenTelemetry Python's
// variables (unless WithOTelPythonEnv(false)): matched against the full
// URL, as OpenTelemetry Python matches them, whatever they contain.
func (c *httpConfig) otelPythonExcluded(m *matcher, getenv func(string) (string, bool)) error {
	if c.noOTelPython {
		return nil
	}
	name := OTelPythonExcludedURLsEnv
	if !c.client {
		if _, set := getenv(OTelPythonFastAPIExcludedURLsEnv); set {
			name = OTelPythonFastAPIExcludedURLsEnv
		}
	}
	v, _ := getenv(name)
	res, err := parseExcludedList(name, v)
	m.full = append(m.full, res...)
	return err
}
