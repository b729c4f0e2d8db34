package telemetry

import (
	"strings"

	"github.com/sightline-dev/sightline/telemetry/internal/console"
)

// FileConsolePrefix, before the path of a file endpoint, makes it write
// console JSON instead of OTLP-JSON: one object per line in the shape of
// OpenTelemetry Python's ConsoleSpanExporter (and ConsoleLogRecordExporter
// for logs), which is what Ray's tracing startup hook writes to
// /tmp/spans/{pid}.json. So Ray's per-process span files are
//
//	SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=file
//	SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=console:/tmp/spans/{pid}.json
//
// The file is appended to and created with mode 0600, its missing
// directories with mode 0700 (as Ray's hook creates /tmp/spans); a symbolic
// link as the file itself is refused. A file holds at most 1 GiB: a batch
// that would pass that, or that the disk has no room for, is dropped and
// counted as failed (Status), and the error is reported (rate-limited); the
// traced code never waits for it. In the path, {pid} is the process id and
// no other brace is allowed.
const FileConsolePrefix = "console:"

// parseFileEndpoint checks a file endpoint's URL: a path (an optional
// file:// is dropped) or FileConsolePrefix and a path.
func parseFileEndpoint(rawURL string) (Endpoint, error) {
	const allowed = "a file path, optionally with {pid} (OTLP-JSON lines), or console:PATH (console JSON lines)"
	if rest, ok := cutPrefixFold(rawURL, FileConsolePrefix); ok {
		path := strings.TrimPrefix(strings.TrimSpace(rest), "file://")
		if err := console.CheckPath(path); err != nil {
			return Endpoint{}, badValue(allowed, "file endpoint %q: %v", rawURL, err)
		}
		return Endpoint{ExporterFile, FileConsolePrefix + path}, nil
	}
	path := strings.TrimPrefix(rawURL, "file://")
	if path == "" || strings.ContainsRune(path, 0) {
		return Endpoint{}, badValue(allowed, "file endpoint %q is not a path", rawURL)
	}
	return Endpoint{ExporterFile, path}, nil
}

// FilePath returns the path a file endpoint writes to ({pid} not expanded,
// without FileConsolePrefix) and whether it writes console JSON; "" for an
// endpoint of another exporter.
func (e Endpoint) FilePath() (path string, consoleJSON bool) {
	if e.Exporter != ExporterFile {
		return "", false
	}
	if p, ok := strings.CutPrefix(e.URL, FileConsolePrefix); ok {
		return p, true
	}
	return e.URL, false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
