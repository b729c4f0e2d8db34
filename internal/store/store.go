package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
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

	writerDone    chan struct{}
	writerErr     error
	retentionDone chan struct{}

	nextSeq int64 // the next traces.id; the writer's only

	txs      atomic.Int64 // transactions committed
	batches  atomic.Int64 // batches committed (or failed) by the writer
	maxGroup atomic.Int64 // the most batches committed in one transaction

	// addedTraces and addedLogs count what ingest added since retention's
	// last step, which sizes the next (see stepSize).
	addedTraces, addedLogs atomic.Int64
	retentionSteps         atomic.Int64 // steps run, for tests

	cuts cutTotals // what the ingest limits cut, for Stats

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store in dir (created if missing), creating or migrating
// its schema. A file with a newer schema is refused with a
// *SchemaVersionError. The Store owns a writer goroutine and a retention
// goroutine until Close.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
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
	if err := privateFiles(filepath.Join(abs, FileName)); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", dir, err), lock.release())
	}
	s := &Store{
		dir: abs, path: filepath.Join(abs, FileName), opts: opts, lock: lock, dict: newDict(),
		queue: make(chan *request, opts.QueueLength), stopping: make(chan struct{}), abort: make(chan struct{}),
		kick: make(chan struct{}, 1), writerDone: make(chan struct{}), retentionDone: make(chan struct{}),
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
	if s.wdb, err = sql.Open("sqlite", dsn(s.path, "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=synchronous("+sync+")&_pragma=cache_size(-32768)&_pragma=journal_size_limit(67108864)&_pragma=temp_store(MEMORY)&_txlock=immediate")); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	if err := migrate(ctx, s.wdb, s.path); err != nil {
		return nil, err
	}
	if s.rdb, err = sql.Open("sqlite", dsn(s.path, "_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=cache_size(-8192)")); err != nil {
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
		return s.loadSeq(w)
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	return conn, nil
}

// dsn is the driver name of the file at abs: a file: URI (so no character
// of the path is taken for a parameter) with query q.
func dsn(abs, q string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive path: file:///C:/...
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q}).String()
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
