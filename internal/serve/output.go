package serve

import (
	"fmt"
	"io"
	"sync"
)

// LinePrefix begins every line the server writes itself (the warnings of
// its parts are logfmt lines of log/slog). Scripts and the benchmarks find
// the addresses by it: "sightline serve: otlp http 127.0.0.1:4318".
const LinePrefix = "sightline serve: "

// output serializes the writes of the server's goroutines.
type output struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Write(p)
}

// line writes one LinePrefix line.
func (o *output) line(format string, args ...any) {
	fmt.Fprintf(o, LinePrefix+format+"\n", args...)
}

// orOff is addr, or "off" for a disabled receiver.
func orOff(addr string) string {
	if addr == "" {
		return "off"
	}
	return addr
}
