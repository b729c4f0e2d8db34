package plan

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// TablePrinter prints the events of a stream as a table, like Bluesky's
// LiveTable: a header at each descriptor of the stream, a row per event
// (seq_num, time, then the fields), and a footer at the stop document.
// Subscribe its Handle method:
//
//	re.Subscribe(plan.NewTablePrinter(os.Stdout, "motor", "det").Handle)
type TablePrinter struct {
	// Location is the time zone of the time column; default time.Local.
	Location *time.Location
	// Stream is the stream printed; default "primary".
	Stream string

	mu     sync.Mutex
	w      io.Writer
	fields []string
	cols   []string // columns of the current descriptor
	desc   string   // uid of the current descriptor
	start  Document // the run's start document
	header bool     // a header was printed in this run
}

// NewTablePrinter returns a printer writing to w. fields are the data keys
// shown, in order (those a descriptor lacks are left out); none means all
// the descriptor's keys, sorted.
func NewTablePrinter(w io.Writer, fields ...string) *TablePrinter {
	return &TablePrinter{w: w, fields: fields, Stream: "primary"}
}

const (
	seqWidth  = 9
	timeWidth = 10
	minWidth  = 10
)

// Handle takes one document (the Subscribe callback).
func (t *TablePrinter) Handle(name string, doc Document) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch name {
	case "start":
		t.start, t.header, t.desc = doc, false, ""
	case "descriptor":
		if doc["name"] != t.Stream {
			return
		}
		t.desc, _ = doc["uid"].(string)
		t.cols = t.columns(doc)
		t.printHeader()
	case "event":
		if t.desc == "" || doc["descriptor"] != t.desc {
			return
		}
		t.printRow(doc)
	case "stop":
		if !t.header {
			return
		}
		t.printBorder()
		uid, _ := doc["run_start"].(string)
		planName, _ := t.start["plan_name"].(string)
		fmt.Fprintf(t.w, "generator %s ['%s'] (scan num: %v)\n", planName, short(uid), t.start["scan_id"])
		if exit, _ := doc["exit_status"].(string); exit != ExitSuccess {
			fmt.Fprintf(t.w, "exit_status: %s (%v)\n", exit, doc["reason"])
		}
		t.header, t.desc = false, ""
	}
}

// columns are the fields shown for a descriptor.
func (t *TablePrinter) columns(doc Document) []string {
	keys, _ := doc["data_keys"].(map[string]any)
	if len(t.fields) == 0 {
		cols := make([]string, 0, len(keys))
		for k := range keys {
			cols = append(cols, k)
		}
		slices.Sort(cols)
		return cols
	}
	cols := make([]string, 0, len(t.fields))
	for _, f := range t.fields {
		if _, ok := keys[f]; ok {
			cols = append(cols, f)
		}
	}
	return cols
}

func width(col string) int { return max(minWidth, len(col)) }

func (t *TablePrinter) printBorder() {
	var b strings.Builder
	b.WriteString("+" + strings.Repeat("-", seqWidth+2) + "+" + strings.Repeat("-", timeWidth+2) + "+")
	for _, c := range t.cols {
		b.WriteString(strings.Repeat("-", width(c)+2) + "+")
	}
	b.WriteByte('\n')
	io.WriteString(t.w, b.String())
}

func (t *TablePrinter) printHeader() {
	t.header = true
	t.printBorder()
	var b strings.Builder
	fmt.Fprintf(&b, "| %*s | %*s |", seqWidth, "seq_num", timeWidth, "time")
	for _, c := range t.cols {
		fmt.Fprintf(&b, " %*s |", width(c), c)
	}
	b.WriteByte('\n')
	io.WriteString(t.w, b.String())
	t.printBorder()
}

func (t *TablePrinter) printRow(doc Document) {
	loc := t.Location
	if loc == nil {
		loc = time.Local
	}
	secs, _ := doc["time"].(float64)
	when := time.Unix(0, int64(secs*1e9)).In(loc).Format("15:04:05.0")
	var b strings.Builder
	fmt.Fprintf(&b, "| %*v | %*s |", seqWidth, doc["seq_num"], timeWidth, when)
	data, _ := doc["data"].(map[string]any)
	for _, c := range t.cols {
		fmt.Fprintf(&b, " %s |", cell(data[c], width(c)))
	}
	b.WriteByte('\n')
	io.WriteString(t.w, b.String())
}

// cell formats a value right-aligned in w characters: numbers with three
// decimals, other values cut to fit.
func cell(v any, w int) string {
	var s string
	switch x := v.(type) {
	case float64:
		s = fmt.Sprintf("%*.3f", w, x)
	case float32:
		s = fmt.Sprintf("%*.3f", w, x)
	case int, int64, int32, uint, uint64, uint32:
		s = fmt.Sprintf("%*d", w, x)
	case nil:
		s = ""
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > w {
		s = s[:w]
	}
	return fmt.Sprintf("%*s", w, s)
}

func short(uid string) string {
	if len(uid) > 8 {
		return uid[:8]
	}
	return uid
}
