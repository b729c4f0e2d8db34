package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Sink takes batches of spans and log records: the shape of the
// collector's store, and of otlpjson.Client. rejected counts the items it
// refused (partial success) and message says why; err means it took none.
type Sink interface {
	AppendTraces(ctx context.Context, td ptrace.Traces) (rejected int, message string, err error)
	AppendLogs(ctx context.Context, ld plog.Logs) (rejected int, message string, err error)
}

// MaxRejections is how many rejections a Report lists; all are counted.
const MaxRejections = 100

// Rejection is a record, or part of one, that was not imported.
type Rejection struct {
	// Line is where the record starts in the file (1-based); 0 for items
	// the sink rejected, whose lines are not known.
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Report says what Import did with one file.
type Report struct {
	File string `json:"file"`
	// Format is "console" or "otlp"; "empty" for a file without records
	// and "unknown" when no record could be read to tell.
	Format string `json:"format"`
	// SpansRead counts the records recognised as spans (whether or not
	// they could be converted) or the spans in OTLP requests;
	// SpansImported those the sink took.
	SpansRead     int `json:"spans_read"`
	SpansImported int `json:"spans_imported"`
	LogsRead      int `json:"logs_read"`
	LogsImported  int `json:"logs_imported"`
	// RejectedCount counts everything not imported: each unreadable or
	// invalid record, and each span or log record the sink refused or was
	// never given because of an error. Rejected lists the first
	// MaxRejections reasons.
	RejectedCount int         `json:"rejected_count"`
	Rejected      []Rejection `json:"rejected"`
}

// SpansRejected is how many of the spans read were not imported.
func (r *Report) SpansRejected() int { return r.SpansRead - r.SpansImported }

// LogsRejected is how many of the log records read were not imported.
func (r *Report) LogsRejected() int { return r.LogsRead - r.LogsImported }

// OtherRejected counts the rejected records that were neither spans nor
// log records, as far as could be told (syntax errors, say).
func (r *Report) OtherRejected() int {
	return r.RejectedCount - r.SpansRejected() - r.LogsRejected()
}

// reject counts n rejected items for one reason.
func (r *Report) reject(line, n int, reason string) {
	r.RejectedCount += n
	if len(r.Rejected) < MaxRejections {
		r.Rejected = append(r.Rejected, Rejection{Line: line, Reason: reason})
	}
}

// Import reads spans and log records from r, the contents of the file
// called name, and appends them to sink in batches. It reads as it goes,
// holding one record and one batch at a time. Records that cannot be
// imported are listed in the report and do not stop the import; an error
// is returned when reading r fails, when the sink fails (the rest of the
// file is not read) or when ctx ends. The report is valid in every case.
func Import(ctx context.Context, r io.Reader, name string, sink Sink, opts ...Option) (Report, error) {
	rep := Report{File: name}
	cfg, err := newConfig(opts)
	if err != nil {
		return rep, err
	}
	counter := &countingReader{r: r, progress: cfg.progress}
	lines := &lineTracker{r: newNaNFilter(counter)}
	rr := newRecordReader(bufio.NewReaderSize(lines, 64<<10), lines, func() error { return counter.err }, cfg.maxRecord)
	b := newBatcher(ctx, sink, cfg.batchSize, &rep)
	console := newConsoleConverter(b)
	otlp := newOTLPConverter(b)
	format := cfg.format

	for {
		if err := ctx.Err(); err != nil {
			b.abandon("import cancelled")
			return finish(&rep, format), fmt.Errorf("importer: %s: %w", name, err)
		}
		rec, rej, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Import what was read before the failure.
			ferr := b.flush()
			b.abandon("import stopped")
			return finish(&rep, format), errors.Join(fmt.Errorf("importer: read %s: %w", name, err), ferr)
		}
		if rej != nil {
			rep.reject(rej.Line, 1, rej.Reason)
			continue
		}
		if kind := kindOf(rec.raw); kind != "an object" {
			rep.reject(rec.line, 1, "not a JSON object (got "+kind+")")
			continue
		}
		if reason := tooDeep(rec.raw); reason != "" {
			rep.reject(rec.line, 1, reason)
			continue
		}
		if format == FormatAuto {
			format = FormatConsole
			if isOTLP(rec.raw) {
				format = FormatOTLP
			}
		}
		if format == FormatOTLP {
			err = otlp.record(rec)
		} else {
			err = console.record(rec)
		}
		if err != nil {
			b.abandon("import stopped after the sink failed")
			return finish(&rep, format), fmt.Errorf("importer: %s: %w", name, err)
		}
	}
	if err := b.flush(); err != nil {
		b.abandon("import stopped after the sink failed")
		return finish(&rep, format), fmt.Errorf("importer: %s: %w", name, err)
	}
	return finish(&rep, format), nil
}

// finish fills in the report's format, and an empty rejection list
// rather than none.
func finish(rep *Report, f Format) Report {
	if rep.Rejected == nil {
		rep.Rejected = []Rejection{}
	}
	switch {
	case f != FormatAuto:
		rep.Format = string(f)
	case rep.RejectedCount > 0:
		rep.Format = "unknown"
	default:
		rep.Format = "empty"
	}
	return *rep
}
