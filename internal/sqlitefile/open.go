package sqlitefile

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DriverName is the database/sql driver Open uses (modernc.org/sqlite).
const DriverName = "sqlite"

// DefaultBusyTimeout is how long a connection waits for another
// connection's lock unless [WithBusyTimeout] says otherwise.
const DefaultBusyTimeout = 10 * time.Second

// Option configures the connections of [Open]. Options are values of the
// With* functions.
type Option interface{ apply(*settings) }

type settings struct {
	busyTimeout time.Duration
	wal         bool
	synchronous string
	pragmas     []string // "name(value)"
	queryOnly   bool
	immediate   bool
	anyOwner    bool
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithBusyTimeout sets how long a connection waits for another
// connection's lock before it fails with SQLITE_BUSY (rounded down to a
// millisecond). The default is [DefaultBusyTimeout]; 0 fails at once.
// Negative durations keep the default.
func WithBusyTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d >= 0 {
			s.busyTimeout = d
		}
	})
}

// WithWAL puts the database in write-ahead-log mode: readers never block
// the writer nor it them. The mode is stored in the file, so this only
// changes a file that was not in it yet.
func WithWAL() Option { return optionFunc(func(s *settings) { s.wal = true }) }

// WithSynchronous sets how a commit waits for the disk: "FULL" survives a
// power loss, "NORMAL" (in WAL mode) survives the process being killed,
// and is faster. "" (the default) keeps SQLite's own default, FULL.
func WithSynchronous(mode string) Option {
	return optionFunc(func(s *settings) { s.synchronous = mode })
}

// WithPragma runs PRAGMA name=value on every connection, after the
// settings above and in the order given: WithPragma("cache_size",
// "-32768") gives each connection a 32 MiB page cache.
func WithPragma(name, value string) Option {
	return optionFunc(func(s *settings) { s.pragmas = append(s.pragmas, name+"("+value+")") })
}

// WithQueryOnly makes every connection refuse to write (a pool of
// readers beside a pool of one writer).
func WithQueryOnly() Option { return optionFunc(func(s *settings) { s.queryOnly = true }) }

// WithImmediateTx makes BeginTx start BEGIN IMMEDIATE transactions, which
// take the write lock (waiting under the busy timeout) before reading.
func WithImmediateTx() Option { return optionFunc(func(s *settings) { s.immediate = true }) }

// WithAnyOwner opens a database (or -wal or -shm file) that belongs to
// another user with the mode it has, instead of refusing it because it
// cannot be made private: for a file deliberately shared by its owner.
func WithAnyOwner() Option { return optionFunc(func(s *settings) { s.anyOwner = true }) }

func newSettings(opts []Option) settings {
	s := settings{busyTimeout: DefaultBusyTimeout}
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}

// Open makes the database at path private (creating it with [Mode] if it
// is missing; see the package documentation) and returns a pool of
// connections to it set up by opts. The parent directory must exist. Like
// sql.Open, it connects to nothing yet: the first query does. The caller
// closes the pool.
func Open(path string, opts ...Option) (*sql.DB, error) {
	s := newSettings(opts)
	if err := makePrivate(path, s.anyOwner); err != nil {
		return nil, err
	}
	db, err := sql.Open(DriverName, dsn(path, s))
	if err != nil {
		return nil, fmt.Errorf("sqlitefile: open %s: %w", path, err)
	}
	return db, nil
}

// DSN is the driver's name for the database at path with the settings of
// opts: a file: URI with the settings as parameters. Open uses it; it is
// exported for a caller that opens a connection by other means (and for
// the tests).
func DSN(path string, opts ...Option) string { return dsn(path, newSettings(opts)) }

func dsn(path string, s settings) string {
	p := path
	if abs, err := filepath.Abs(path); err == nil {
		p = abs
	}
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") { // a Windows drive path: file:///C:/...
		p = "/" + p
	}
	q := []string{"_pragma=busy_timeout(" + strconv.FormatInt(s.busyTimeout.Milliseconds(), 10) + ")"}
	if s.wal {
		q = append(q, "_pragma=journal_mode(WAL)")
	}
	if s.synchronous != "" {
		q = append(q, "_pragma=synchronous("+s.synchronous+")")
	}
	for _, p := range s.pragmas {
		q = append(q, "_pragma="+p)
	}
	if s.queryOnly {
		q = append(q, "_pragma=query_only(1)")
	}
	if s.immediate {
		q = append(q, "_txlock=immediate")
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: strings.Join(q, "&")}).String()
}
