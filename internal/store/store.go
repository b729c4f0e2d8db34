package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
)

// FileName is the database's name in the data directory.
const FileName = "sightline.db"

// readConns bounds the connections serving queries, which WAL lets run
// alongside the writer.
const readConns = 4

// Store is the trace and log store in one data directory. Its methods are
// safe for concurrent use. Only one Store, in one process, may have a
// directory open at a time (a lock file enforces it where supported).
type Store struct {
	dir  string
	path string
	opts Options
	lock *dirLock
	wdb  *sql.DB // the writer's pool: one connection
	rdb  *sql.DB // queries
	dict *dict

	queue    chan *request
	mu       sync.Mutex // guards closed and senders.Add
	closed   bool
	isShut   atomic.Bool
	senders  sync.WaitGroup // Append calls between the closed check and queueing
	stopping chan struct{}  // closed by Close
	abort    chan struct{}  // closed when Close's context ends before the queue is drained
	kick     chan struct{}  // asks the retention goroutine for a pass
	lostKick chan struct{}  // wakes the lost pass's goroutine

	writerDone    chan struct{}
	writerErr     error
	retentionDone chan struct{}
	lostDone      chan struct{}

	nextSeq   int64 // the next traces.id; the writer's only
	changeSeq int64 // the last change number taken (changes.go); the writer's only
	epoch     int64 // the file's epoch (changes.go), read at Open

	// attrs is the attribute index's open block (attrindex_write.go); the
	// writer's only. attrFrom is the first trace sequence number whose
	// spans are all indexed: traces before it were stored before the
	// index existed (schema version 2), and every search checks them.
	attrs    attrIndexWriter
	attrFrom atomic.Int64

	// nextDeadline is the earliest time an open span may become lost
	// (lost.go), math.MaxInt64 when none is open; the writer sets it.
	nextDeadline atomic.Int64

	// Announcements since Open (Stats): received, rejected, and late
	// heartbeats of spans already finished.
	announced, announceRejected, late atomic.Int64
	// decodes bounds the memory of announcement bodies being decoded.
	decodes *decodeBudget

	txs      atomic.Int64 // transactions committed
	batches  atomic.Int64 // batches committed (or failed) by the writer
	maxGroup atomic.Int64 // the most batches committed in one transaction

	// addedTraces and addedLogs count what ingest added since retention's
	// last step, which sizes the next (see stepSize).
	addedTraces, addedLogs atomic.Int64
	retentionSteps         atomic.Int64 // steps run, for tests

	cuts cutTotals // what the ingest limits cut, for Stats

	seams seams // the package tests' clock and hooks; a real clock otherwise

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store in dir (created if missing), creating or migrating
// its schema. A file with a newer schema is refused with a
// *SchemaVersionError. The Store owns a writer goroutine, a retention
// goroutine and the goroutine marking open spans lost (lost.go) until
// Close. Open spans stored before get three of their heartbeat intervals
// from now before they can be marked lost.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	return open(ctx, dir, opts, seams{})
}

// seams are where the package's tests reach into a Store: its clock and
// two hooks. Open leaves them zero: the real clock, no hooks.
type seams struct {
	// now is the clock; nil means time.Now.
	now func() time.Time
	// afterRetention is called after each retention pass of the background
	// goroutine with its error.
	afterRetention func(error)
	// onItem is called for every item a query decodes (span, log record,
	// candidate trace, attribute, array element), where the query checks
	// its context.
	onItem func()
	// manualLost keeps the lost pass's goroutine idle: the test runs
	// passes itself (markLost), at the times its clock says.
	manualLost bool
}

func open(ctx context.Context, dir string, opts Options, sm seams) (*Store, error) {
	if sm.now == nil {
		sm.now = time.Now
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if dir == "" {
		return nil, errors.New("store: open: empty data directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	if err := sqlitefile.MakePrivate(filepath.Join(abs, FileName)); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", dir, err), lock.release())
	}
	s := &Store{
		dir: abs, path: filepath.Join(abs, FileName), opts: opts, seams: sm, lock: lock, dict: newDict(),
		queue: make(chan *request, opts.QueueLength), stopping: make(chan struct{}), abort: make(chan struct{}),
		kick: make(chan struct{}, 1), writerDone: make(chan struct{}), retentionDone: make(chan struct{}),
		lostKick: make(chan struct{}, 1), lostDone: make(chan struct{}), decodes: newDecodeBudget(announceDecodeBytes),
	}
	conn, err := s.open(ctx)
	if err != nil {
		if cerr := errors.Join(s.closeDBs(), lock.release()); cerr != nil {
			err = fmt.Errorf("%w (and closing: %w)", err, cerr)
		}
		return nil, err
	}
	go s.runWriter(conn)
	go s.runRetention()
	go s.runLost()
	return s, nil
}

// open opens the pools, migrates, loads the dictionary and returns the
// writer's connection.
func (s *Store) open(ctx context.Context) (*sql.Conn, error) {
	sync := "NORMAL"
	if s.opts.Fsync {
		sync = "FULL"
	}
	var err error
	if s.wdb, err = sqlitefile.Open(s.path, sqlitefile.WithWAL(), sqlitefile.WithSynchronous(sync),
		sqlitefile.WithPragma("cache_size", "-32768"), sqlitefile.WithPragma("journal_size_limit", "67108864"),
		sqlitefile.WithPragma("temp_store", "MEMORY"), sqlitefile.WithImmediateTx()); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	if err := migrate(ctx, s.wdb, s.path); err != nil {
		return nil, err
	}
	if s.rdb, err = sqlitefile.Open(s.path, sqlitefile.WithQueryOnly(), sqlitefile.WithPragma("cache_size", "-8192")); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.rdb.SetMaxOpenConns(readConns)
	s.rdb.SetMaxIdleConns(readConns)
	if err := s.dict.load(ctx, s.rdb); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	err = conn.Raw(func(dc any) error {
		w, err := newWconn(dc)
		if err != nil {
			return err
		}
		defer w.close()
		if err := s.loadSeq(w); err != nil {
			return err
		}
		return s.graceOpenSpans(w)
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	return conn, nil
}

func (s *Store) runWriter(conn *sql.Conn) {
	defer close(s.writerDone)
	err := conn.Raw(func(dc any) error {
		w, err := newWconn(dc)
		if err != nil {
			// Nothing can be written: fail every request until Close.
			for r := range s.queue {
				r.done <- err
			}
			return err
		}
		s.writeLoop(w)
		return w.close()
	})
	s.writerErr = errors.Join(err, conn.Close())
}

// Dir returns the data directory, absolute.
func (s *Store) Dir() string { return s.dir }

func (s *Store) isClosed() bool { return s.isShut.Load() }

// Close stops the Store: Append calls not yet queued fail with ErrClosed,
// queued batches are committed (their callers get results) unless ctx ends
// first (then they fail with ErrClosed), the retention goroutine stops
// and the database is closed. No goroutine of the Store is left. Close is
// idempotent: later calls return what the first returned.
func (s *Store) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.isShut.Store(true)
		s.mu.Unlock()
		close(s.stopping)
		<-s.retentionDone
		<-s.lostDone
		s.senders.Wait()
		close(s.queue)
		select {
		case <-s.writerDone:
		case <-ctx.Done():
			close(s.abort)
			<-s.writerDone
		}
		errs := []error{s.writerErr, s.closeDBs(), s.lock.release()}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("store: close %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}
