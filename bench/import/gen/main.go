// Command gen writes a large file of OpenTelemetry Python console output
// for the import benchmark: Bluesky-style runs (a "run" span, its
// open_run/trigger/read/close_run children and a log record), pretty
// printed as Python prints them, with NaN and Infinity attributes. Output
// is deterministic for a given -seed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	mb := flag.Int64("mb", 1024, "approximate size to write, in MiB")
	out := flag.String("o", "spans.json", "output file")
	compact := flag.Bool("compact", false, "one object per line (Ray's layout) instead of pretty-printed")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*out, *mb<<20, *compact, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type counter struct {
	w *bufio.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func run(path string, size int64, compact bool, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := &counter{w: bw}
	g := &gen{w: w, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: time.Date(2024, 6, 11, 14, 0, 0, 0, time.UTC), compact: compact}
	spans, logs := 0, 0
	for w.n < size {
		s, l := g.run()
		spans += s
		logs += l
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, %d spans, %d log records\n", path, w.n, spans, logs)
	return nil
}

type gen struct {
	w       *counter
	rng     *rand.Rand
	t       time.Time
	compact bool
	scan    int
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 2+n)
	b[0], b[1] = '0', 'x'
	for i := 2; i < len(b); i++ {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *gen) tick(d time.Duration) string {
	g.t = g.t.Add(d)
	return g.t.Format("2006-01-02T15:04:05.000000Z")
}

const resource = `{"attributes": {"telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.version": "1.27.0", "service.name": "bluesky"}, "schema_url": ""}`

// run writes one run: its children, then the run span, then a log record.
func (g *gen) run() (spans, logs int) {
	g.scan++
	tid, runID := g.hex(32), g.hex(16)
	runStart := g.tick(time.Millisecond)
	points := 2 + g.rng.IntN(4)
	g.span("open_run", tid, g.hex(16), runID, g.tick(time.Millisecond), g.tick(time.Millisecond),
		fmt.Sprintf(`{"msg.command": "open_run", "msg.obj": "None", "plan_name": "count", "scan_id": %d}`, g.scan))
	spans++
	for i := range points {
		g.span("trigger", tid, g.hex(16), runID, g.tick(time.Millisecond), g.tick(100*time.Millisecond),
			fmt.Sprintf(`{"msg.command": "trigger", "msg.obj": "det", "exposure_time": 0.1, "point": %d}`, i))
		value := fmt.Sprintf("%.6f", g.rng.Float64()*1000)
		if g.rng.IntN(10) == 0 {
			value = "NaN"
		}
		g.span("read", tid, g.hex(16), runID, g.tick(time.Millisecond), g.tick(time.Millisecond),
			`{"msg.command": "read", "msg.obj": "det", "det.value": `+value+`, "det.limits": [-Infinity, Infinity], "det.shape": []}`)
		spans += 2
	}
	g.span("close_run", tid, g.hex(16), runID, g.tick(time.Millisecond), g.tick(time.Millisecond),
		`{"msg.command": "close_run", "exit_status": "success"}`)
	g.span("run", tid, runID, "", runStart, g.tick(time.Millisecond),
		fmt.Sprintf(`{"plan_name": "count", "num_points": %d, "detectors": ["det"], "md.sample": "Cu foil", "md.temperature_K": 293.15}`, points))
	spans += 2
	g.emit(fmt.Sprintf(`{"body": "run %d finished", "severity_number": 9, "severity_text": "INFO", "attributes": {"scan_id": %d}, "dropped_attributes": 0, "timestamp": %q, "observed_timestamp": %q, "trace_id": %q, "span_id": %q, "trace_flags": 1, "resource": %s, "event_name": ""}`,
		g.scan, g.scan, g.tick(0), g.tick(time.Microsecond), tid, runID, resource))
	return spans, 1
}

func (g *gen) span(name, tid, sid, parent, start, end, attrs string) {
	p := "null"
	if parent != "" {
		p = `"` + parent + `"`
	}
	g.emit(fmt.Sprintf(`{"name": %q, "context": {"trace_id": %q, "span_id": %q, "trace_state": "[]"}, "kind": "SpanKind.INTERNAL", "parent_id": %s, "start_time": %q, "end_time": %q, "status": {"status_code": "UNSET"}, "attributes": %s, "events": [], "links": [], "resource": %s}`,
		name, tid, sid, p, start, end, attrs, resource))
}

// emit writes one compact object, pretty-printed unless -compact.
func (g *gen) emit(obj string) {
	if g.compact {
		_, _ = g.w.Write([]byte(obj + "\n"))
		return
	}
	_, _ = g.w.Write(append(indent(obj), '\n'))
}

// indent lays out a compact object (", " and ": " separators, no NaN in
// strings) as Python's json.dumps(indent=4) does.
func indent(s string) []byte {
	var b []byte
	depth := 0
	nl := func() {
		b = append(b, '\n')
		for range depth * 4 {
			b = append(b, ' ')
		}
	}
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			b = append(b, c)
			if c == '\\' {
				i++
				b = append(b, s[i])
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			b = append(b, c)
		case '{', '[':
			if i+1 < len(s) && (s[i+1] == '}' || s[i+1] == ']') {
				b = append(b, c, s[i+1])
				i++
				continue
			}
			b = append(b, c)
			depth++
			nl()
		case '}', ']':
			depth--
			nl()
			b = append(b, c)
		case ',':
			b = append(b, ',')
			nl()
			i++ // the space after it
		default:
			b = append(b, c)
		}
	}
	return b
}
