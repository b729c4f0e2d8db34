package telemetry_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sightline-dev/sightline/telemetry"
)

// Ray's per-process span files (the tracing startup hook of Ray's tracing
// guide: ConsoleSpanExporter into /tmp/spans/{pid}.json behind a
// SimpleSpanProcessor) are a file endpoint with "console:" before the
// path: one console JSON object per span per line.
func ExampleFileConsolePrefix() {
	dir, _ := os.MkdirTemp("", "spans")
	defer os.RemoveAll(dir)
	settings := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": telemetry.FileConsolePrefix + filepath.Join(dir, "spans", "{pid}.json"),
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR":    "simple",
	}
	comp, err := telemetry.Setup(context.Background(), telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := settings[k]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, task := comp.Tracer("example").Start(context.Background(), "my_func ray.remote_worker")
	_, foo := comp.Tracer("example").Start(ctx, "foo")
	foo.End()
	task.End()
	_ = comp.Shutdown(context.Background())

	f, err := os.Open(filepath.Join(dir, "spans", strconv.Itoa(os.Getpid())+".json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var span struct {
			Name     string  `json:"name"`
			Kind     string  `json:"kind"`
			ParentID *string `json:"parent_id"`
		}
		_ = json.Unmarshal(sc.Bytes(), &span)
		fmt.Println(span.Name, span.Kind, span.ParentID != nil)
	}
	// Output:
	// foo SpanKind.INTERNAL true
	// my_func ray.remote_worker SpanKind.INTERNAL false
}
