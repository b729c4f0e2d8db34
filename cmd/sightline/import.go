package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/importer"
	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/store"
)

// DefaultImportAddr is the collector's OTLP/HTTP address import sends to
// when neither --addr nor SIGHTLINE_IMPORT_ADDR says otherwise.
const DefaultImportAddr = "http://127.0.0.1:4318"

const importUsage = `usage: sightline import [flags] FILE...

Loads span and log files into a running collector over OTLP/HTTP, or with
--data DIR straight into the store in a data directory that no sightline
serve is using: OpenTelemetry Python console output (pretty-printed or one
object per line) and OTLP-JSON lines, detected per file. "-" reads standard
input. Flags may come before or after the files.

For each file a report line is printed, then each rejected record as
FILE:LINE: reason. Exit status: 0 everything imported, 1 records rejected
or the collector refused the data or could not be reached, 2 usage (no
files, a file that cannot be read).

flags:
`

type importFlags struct {
	addr   string
	data   string // a data directory to import into instead of addr
	batch  int
	format importer.Format
	json   bool
	files  []string
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseImportFlags(args, stderr)
	if !ok {
		return code
	}
	for _, name := range f.files {
		if err := checkReadable(name); err != nil {
			fmt.Fprintf(stderr, "sightline import: %v\n", err)
			return exitUsage
		}
	}
	sink, closeSink, err := importSink(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "sightline import: %v\n", err)
		if errors.Is(err, errDataInUse) {
			return exitRefused
		}
		return exitUsage
	}
	defer func() { _ = closeSink() }()

	var results []importResult
	code = exitOK
	for _, name := range f.files {
		res, fatal := importOne(ctx, f, name, sink, stderr)
		results = append(results, res)
		if !f.json {
			printReport(stdout, res.Report)
		}
		if fatal != nil {
			fmt.Fprintf(stderr, "sightline import: %s\n", fatal.msg)
			code = fatal.code
			break
		}
		if res.RejectedCount > 0 {
			code = exitRefused
		}
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(results)
	}
	return code
}

// parseImportFlags reads the flags, which may come before, between or
// after the files ("--" ends them).
func parseImportFlags(args []string, stderr io.Writer) (importFlags, int, bool) {
	fs := flag.NewFlagSet("sightline import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f importFlags
	var format string
	fs.StringVar(&f.addr, "addr", envOr("SIGHTLINE_IMPORT_ADDR", DefaultImportAddr), "the collector's OTLP/HTTP base URL (default $SIGHTLINE_IMPORT_ADDR)")
	fs.StringVar(&f.data, "data", "", "import into the store in data `DIR` instead of a collector (refused while a sightline serve uses DIR)")
	fs.IntVar(&f.batch, "batch", importer.DefaultBatchSize, "send at most `N` spans (and N log records) per request")
	fs.StringVar(&format, "format", "auto", "input format: auto, console or otlp")
	fs.BoolVar(&f.json, "json", false, "print the reports as JSON")
	fs.Usage = func() { fmt.Fprint(stderr, importUsage); fs.PrintDefaults() }

	rest := args
	if i := slices.Index(args, "--"); i >= 0 {
		rest, f.files = args[:i], append(f.files, args[i+1:]...)
	}
	var files []string
	addrSet := false
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return f, exitOK, false
			}
			return f, exitUsage, false
		}
		fs.Visit(func(fl *flag.Flag) { addrSet = addrSet || fl.Name == "addr" })
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	f.files = append(files, f.files...)

	var err error
	switch f.format, err = importer.ParseFormat(format); {
	case err != nil:
		err = fmt.Errorf("--format: %w", err)
	case f.batch < 1:
		err = fmt.Errorf("--batch %d: want at least 1", f.batch)
	case len(f.files) == 0:
		err = errors.New("no files to import")
	case addrSet && f.data != "":
		err = errors.New("--addr and --data: import into a collector or into a data directory, not both")
	}
	if err != nil {
		fmt.Fprintf(stderr, "sightline import: %v\n\n", err)
		fs.Usage()
		return f, exitUsage, false
	}
	return f, exitOK, true
}

// errDataInUse marks a --data directory held by another process.
var errDataInUse = errors.New("data directory in use")

// importSink returns where the records go and how to release it. This is
// the one place that chooses: the store in --data, else the collector at
// --addr.
func importSink(ctx context.Context, f importFlags) (importer.Sink, func() error, error) {
	if f.data != "" {
		// No retention while importing: old files stay whole. A serve on
		// the directory later applies its --retention-age to them.
		st, err := store.Open(ctx, f.data, store.Options{})
		if err != nil {
			if store.InUse(f.data) {
				return nil, nil, fmt.Errorf("--data %s: %w: a running sightline serve (or another import) holds it; import through the serve instead (sightline import --addr http://127.0.0.1:4318 FILE...) or stop it first (%v)", f.data, errDataInUse, err)
			}
			return nil, nil, fmt.Errorf("--data %s: %w", f.data, err)
		}
		return store.Sink{Store: st}, func() error { return st.Close(context.Background()) }, nil
	}
	addr := f.addr
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	c, err := otlphttp.NewClient(addr, otlphttp.WithTimeout(30*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("--addr: %w", err)
	}
	return c, c.Close, nil
}

// checkReadable fails for a file that cannot be opened or is a directory.
func checkReadable(name string) error {
	if name == "-" {
		return nil
	}
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	return nil
}

// importResult is one file's report as --json prints it.
type importResult struct {
	importer.Report
	Error string `json:"error,omitempty"`
}

// importFailure ends the run early with a message and an exit code.
type importFailure struct {
	msg  string
	code int
}

// importOne imports one file, drawing a progress bar on stderr if it is a
// terminal.
func importOne(ctx context.Context, f importFlags, name string, sink importer.Sink, stderr io.Writer) (importResult, *importFailure) {
	var (
		r    io.Reader
		size int64
	)
	if name == "-" {
		r = os.Stdin
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return importResult{Report: importer.Report{File: name}, Error: err.Error()}, &importFailure{err.Error(), exitUsage}
		}
		defer fh.Close()
		if fi, err := fh.Stat(); err == nil {
			size = fi.Size()
		}
		r = fh
	}
	counted := &countingSink{Sink: sink}
	bar := newProgressBar(stderr, name, size, &counted.spans)
	rep, err := importer.Import(ctx, r, name, counted,
		importer.WithBatchSize(f.batch), importer.WithFormat(f.format), importer.WithProgress(bar.update))
	bar.finish()
	res := importResult{Report: rep}
	if err == nil {
		return res, nil
	}
	res.Error = err.Error()
	var se *importer.SinkError
	switch {
	case ctx.Err() != nil:
		return res, &importFailure{fmt.Sprintf("%s: interrupted", name), exitRefused}
	case errors.As(err, &se) && f.data != "":
		return res, &importFailure{fmt.Sprintf("%s: the store in %s failed: %v; stopped", name, f.data, se.Err), exitRefused}
	case errors.As(err, &se):
		return res, &importFailure{collectorError(f.addr, name, se.Err), exitRefused}
	default:
		return res, &importFailure{fmt.Sprintf("cannot read %s: %v", name, err), exitUsage}
	}
}

// collectorError explains a failure to deliver to the collector.
func collectorError(addr, name string, err error) string {
	if _, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Sprintf("%s: cannot reach the collector at %s (is it running? set --addr or SIGHTLINE_IMPORT_ADDR): %v; stopped", name, addr, err)
	}
	return fmt.Sprintf("%s: the collector at %s refused the data: %v; stopped", name, addr, err)
}

// printReport prints a file's report line and its rejections.
func printReport(w io.Writer, r importer.Report) {
	fmt.Fprintf(w, "%s: %s, %d spans read, %d imported, %d rejected; %d logs read, %d imported, %d rejected",
		r.File, r.Format, r.SpansRead, r.SpansImported, r.SpansRejected(), r.LogsRead, r.LogsImported, r.LogsRejected())
	if n := r.OtherRejected(); n > 0 {
		fmt.Fprintf(w, "; %d unreadable records rejected", n)
	}
	fmt.Fprintln(w)
	for _, rej := range r.Rejected {
		if rej.Line > 0 {
			fmt.Fprintf(w, "%s:%d: %s\n", r.File, rej.Line, rej.Reason)
		} else {
			fmt.Fprintf(w, "%s: %s\n", r.File, rej.Reason)
		}
	}
	if listed := len(r.Rejected); r.RejectedCount > listed {
		fmt.Fprintf(w, "%s: %d more rejections not listed\n", r.File, r.RejectedCount-listed)
	}
}
