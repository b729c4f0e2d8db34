package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/importer"
)

// countingSink counts the spans it passes on, for the progress bar.
type countingSink struct {
	importer.Sink
	spans int
}

func (s *countingSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	s.spans += td.SpanCount()
	return s.Sink.AppendTraces(ctx, td)
}

// progressBar redraws one line on a terminal at most ten times a second;
// it is nil (and does nothing) when the output is not a terminal.
type progressBar struct {
	w     io.Writer
	name  string
	size  int64 // 0 when unknown
	spans *int
	now   func() time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, name string, size int64, spans *int) *progressBar {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressBar{w: w, name: name, size: size, spans: spans, now: time.Now}
}

func (p *progressBar) update(read int64) {
	if p == nil {
		return
	}
	now := p.now()
	if p.drawn && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.drawn = now, true
	fmt.Fprint(p.w, "\r\x1b[K"+p.line(read))
}

// line renders the bar: "NAME [=====>    ]  42%  1.2 GB / 2.9 GB  123456 spans".
func (p *progressBar) line(read int64) string {
	const width = 30
	var b strings.Builder
	b.WriteString(p.name)
	if p.size > 0 {
		frac := min(float64(read)/float64(p.size), 1)
		n := int(frac * width)
		b.WriteString(" [" + strings.Repeat("=", n))
		if n < width {
			b.WriteString(">" + strings.Repeat(" ", width-n-1))
		}
		fmt.Fprintf(&b, "] %3.0f%%  %s / %s", frac*100, bytesize.Human(read), bytesize.Human(p.size))
	} else {
		b.WriteString("  " + bytesize.Human(read))
	}
	fmt.Fprintf(&b, "  %d spans", *p.spans)
	return b.String()
}

// finish erases the bar.
func (p *progressBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
