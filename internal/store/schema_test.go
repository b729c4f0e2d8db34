package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitefile.Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, Options{})
	var ve *SchemaVersionError
	if !errors.As(err, &ve) || ve.Version != 99 || ve.Known != SchemaVersion {
		t.Fatalf("open: %v", err)
	}
	if want := fmt.Sprintf("has schema version 99; this sightline knows up to %d", SchemaVersion); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
	// The refusal released the directory's lock.
	if err := relock(dir); err != nil {
		t.Error(err)
	}
}

func relock(dir string) error {
	l, err := lockDir(dir)
	if err != nil {
		return err
	}
	return l.release()
}

// runJob runs f in the writer, as retention does.
func runJob(t *testing.T, s *Store, f func(w *wconn) error) {
	t.Helper()
	if err := s.submit(context.Background(), &request{job: func(w *wconn, _ *txCounts) error { return f(w) }}); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptPayload(t *testing.T) {
	s := openTest(t, Options{})
	mustAppend(t, s, fullTraces())
	id := hexID(traceID(100))
	for _, payload := range [][]byte{{}, {9}, {formatRaw, 0xff}, {formatFlate, 1, 2, 3}, {formatRaw, 0, 99, 99, 99}} {
		tid := traceID(100)
		runJob(t, s, func(w *wconn) error {
			_, err := w.exec("UPDATE spans SET payload = ? WHERE trace_seq = (SELECT id FROM traces WHERE trace_id = ?)", payload, tid[:])
			return err
		})
		if _, err := s.Trace(context.Background(), id, Page{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("payload %x: Trace: %v", payload, err)
		}
		if _, err := s.TraceOTLP(context.Background(), id); !errors.Is(err, ErrCorrupt) {
			t.Errorf("payload %x: TraceOTLP: %v", payload, err)
		}
		if _, err := s.SearchTraces(context.Background(), TraceQuery{Attributes: map[string]string{"process.pid": "4242"}}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("payload %x: attribute search: %v", payload, err)
		}
	}
}

// TestDecodeDamage parses every truncation and many random corruptions
// of real payloads: errors, never a panic.
func TestDecodeDamage(t *testing.T) {
	d := newDict()
	b, _ := encodeTraces(d, Options{}.withDefaults().limits(), fullTraces())
	v := d.view()
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range b.groups {
		for _, sp := range g.spans {
			body, err := openPayload(sp.payload, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parseSpan(sp.payload, &v, nil); err != nil {
				t.Fatalf("intact payload: %v", err)
			}
			for n := range len(body) {
				p := append([]byte{formatRaw}, body[:n]...)
				if _, err := parseSpan(p, &v, nil); err == nil {
					t.Errorf("truncated at %d of %d: no error", n, len(body))
				}
			}
			for range 200 {
				p := append([]byte{formatRaw}, body...)
				p[1+r.IntN(len(body))] = byte(r.IntN(256))
				if rec, err := parseSpan(p, &v, nil); err == nil {
					// A damaged byte may still parse: converting must not
					// panic either.
					_, _ = rec.jsonSpan(0, make([]byte, 8), &v, nil)
					var w pbWriter
					_ = w.span(&rec, make([]byte, 16), make([]byte, 8), 0, &v, nil)
				}
			}
		}
	}
}

func TestBadCursor(t *testing.T) {
	s := openTest(t, Options{})
	mustAppend(t, s, fullTraces())
	logCursor := cursor{Kind: cursorLogs, Time: 1, ID: 1}.encode()
	for _, c := range []string{"!!!", "bm90IGpzb24", logCursor} {
		_, err := s.SearchTraces(context.Background(), TraceQuery{Cursor: c})
		if !errors.Is(err, ErrBadCursor) || !strings.HasPrefix(err.Error(), "store: bad cursor") {
			t.Errorf("search with cursor %q: %v", c, err)
		}
		_, err = s.Trace(context.Background(), hexID(traceID(100)), Page{Cursor: c})
		if !errors.Is(err, ErrBadCursor) {
			t.Errorf("trace with cursor %q: %v", c, err)
		}
	}
	_, err := s.SearchLogs(context.Background(), LogQuery{Cursor: cursor{Kind: cursorTraces}.encode()})
	if !errors.Is(err, ErrBadCursor) {
		t.Errorf("logs with a traces cursor: %v", err)
	}
	_, err = s.Trace(context.Background(), hexID(traceID(100)), Page{Cursor: cursor{Kind: cursorSpans, Span: "xyz"}.encode()})
	if err == nil || !strings.Contains(err.Error(), "bad span id") {
		t.Errorf("spans cursor with a bad span id: %v", err)
	}
}

// TestMigrateFromVersion1 opens a file of schema version 1 holding a
// trace (a version 2 file taken back to version 1) and checks that the
// migration keeps the trace and that in-flight spans then work.
func TestMigrateFromVersion1(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, fullTraces())
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitefile.Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE attr_blocks", "DROP TABLE attr_pending", "DELETE FROM counters WHERE name = 'attr_index_from'",
		"DROP TABLE open_spans", "DROP TABLE span_changes", "DROP INDEX traces_open",
		"ALTER TABLE traces DROP COLUMN open_count", "ALTER TABLE traces DROP COLUMN lost_count",
		"ALTER TABLE traces DROP COLUMN last_heard_ns", "ALTER TABLE traces DROP COLUMN tracked",
		"DELETE FROM counters WHERE name IN ('open_spans', 'lost_spans', 'changes', 'epoch')",
		"PRAGMA user_version = 1",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	p, err := s.Trace(context.Background(), hexID(traceID(100)), Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Spans) == 0 || p.Summary.InProgress || p.Spans[0].State != StateFinished || p.Changes == "" {
		t.Fatalf("migrated trace: %+v", p)
	}
	if s.epoch == 0 {
		t.Error("no epoch after the migration")
	}
	td := announcetest.Span("svc", traceID(100), spanID(424242), pcommon.SpanID{}, "late child", base, time.Time{})
	if _, err := s.AppendLogs(context.Background(), announcetest.Heartbeat(td, time.Second, base)); err != nil {
		t.Fatal(err)
	}
	if p, err = s.Trace(context.Background(), hexID(traceID(100)), Page{}); err != nil || !p.Summary.InProgress {
		t.Fatalf("heartbeat after the migration: %+v, %v", p.Summary, err)
	}
	var v int
	if err := s.rdb.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Errorf("user_version %d (%v), want %d", v, err, SchemaVersion)
	}
}
