package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// wconn is the writer's connection, used at the driver level: statements
// are prepared once and kept for the Store's life, arguments go straight
// to the driver, and calls pass context.Background (a cancellable context
// makes the driver start a watcher goroutine per statement). Only the
// writer goroutine uses it, inside one sql.Conn.Raw call.
type wconn struct {
	c     driver.Conn
	stmts map[string]driver.Stmt
	args  []driver.NamedValue
	sql   strings.Builder
	// queryKeys caches generated multi-row statement texts by shape.
	queryKeys map[string]string
}

// newWconn wraps the driver connection given by sql.Conn.Raw.
func newWconn(dc any) (*wconn, error) {
	c, ok := dc.(driver.Conn)
	if !ok {
		return nil, fmt.Errorf("store: sqlite driver connection is a %T", dc)
	}
	return &wconn{c: c, stmts: map[string]driver.Stmt{}, queryKeys: map[string]string{}}, nil
}

func (w *wconn) stmt(query string) (driver.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	p, ok := w.c.(driver.ConnPrepareContext)
	if !ok {
		return nil, errors.New("sqlite driver cannot prepare with a context")
	}
	st, err := p.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, fmt.Errorf("prepare %.60q: %w", query, err)
	}
	w.stmts[query] = st
	return st, nil
}

// setArgs fills w.args from args.
func (w *wconn) setArgs(args []any) []driver.NamedValue {
	w.args = w.args[:0]
	for i, a := range args {
		if n, ok := a.(int); ok { // the driver takes int64, not int
			a = int64(n)
		}
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	return w.args
}

// exec runs query with args and returns the rows it changed.
func (w *wconn) exec(query string, args ...any) (int64, error) {
	return w.execNamed(query, w.setArgs(args))
}

func (w *wconn) execNamed(query string, args []driver.NamedValue) (int64, error) {
	st, err := w.stmt(query)
	if err != nil {
		return 0, err
	}
	ex, ok := st.(driver.StmtExecContext)
	if !ok {
		return 0, fmt.Errorf("sqlite driver statement cannot execute with a context (%T)", st)
	}
	res, err := ex.ExecContext(context.Background(), args)
	if err != nil {
		return 0, fmt.Errorf("%.60q: %w", query, err)
	}
	return res.RowsAffected()
}

// query runs query with args and calls row for each result row with the
// row's values (valid only during the call).
func (w *wconn) query(query string, args []driver.NamedValue, ncols int, row func([]driver.Value) error) error {
	st, err := w.stmt(query)
	if err != nil {
		return err
	}
	qc, ok := st.(driver.StmtQueryContext)
	if !ok {
		return fmt.Errorf("sqlite driver statement cannot query with a context (%T)", st)
	}
	rows, err := qc.QueryContext(context.Background(), args)
	if err != nil {
		return fmt.Errorf("%.60q: %w", query, err)
	}
	defer rows.Close()
	dest := make([]driver.Value, ncols)
	for {
		if err := rows.Next(dest); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%.60q: %w", query, err)
		}
		if err := row(dest); err != nil {
			return err
		}
	}
}

// chunk returns the largest power of two, at most 64, not above n: the
// row counts of the multi-row statements, so few variants are prepared.
func chunk(n int) int {
	c := 64
	for c > n {
		c >>= 1
	}
	return c
}

// placeholders returns "(?,?,..),(?,?,..)..." for rows of ncols.
func (w *wconn) placeholders(prefix, suffix string, rows, ncols int) string {
	w.sql.Reset()
	w.sql.WriteString(prefix)
	for r := range rows {
		if r > 0 {
			w.sql.WriteByte(',')
		}
		w.sql.WriteByte('(')
		for c := range ncols {
			if c > 0 {
				w.sql.WriteByte(',')
			}
			w.sql.WriteByte('?')
		}
		w.sql.WriteByte(')')
	}
	w.sql.WriteString(suffix)
	return w.sql.String()
}

// insertMany runs prefix ("INSERT INTO t (a, b) VALUES ") with n rows of
// ncols values, appended by add(i, dst) for row i, in multi-row
// statements. It returns the rows changed.
func (w *wconn) insertMany(prefix string, ncols, n int, add func(i int, dst []any) []any) (int64, error) {
	return w.execRows(prefix, "", ncols, n, add)
}

// execRows runs prefix + "(?,..),(?,..)..." + suffix for n rows of ncols
// values in chunks: an INSERT's VALUES or a DELETE's "IN (VALUES ...)".
// It returns the rows changed.
func (w *wconn) execRows(prefix, suffix string, ncols, n int, add func(i int, dst []any) []any) (int64, error) {
	var total int64
	vals := make([]any, 0, 64*ncols)
	for i := 0; i < n; {
		c := chunk(n - i)
		key := prefix + suffix + strconv.Itoa(ncols) + "x" + strconv.Itoa(c)
		q, ok := w.queryKeys[key]
		if !ok {
			q = w.placeholders(prefix, suffix, c, ncols)
			w.queryKeys[key] = q
		}
		vals = vals[:0]
		for j := i; j < i+c; j++ {
			vals = add(j, vals)
		}
		if len(vals) != c*ncols {
			return total, fmt.Errorf("internal error: %d values for %d rows of %d columns", len(vals), c, ncols)
		}
		k, err := w.execNamed(q, w.setArgs(vals))
		if err != nil {
			return total, err
		}
		total += k
		i += c
	}
	return total, nil
}

// selectIn runs "prefix (?,?,...)" for keys in chunks, calling row for
// every result row.
func (w *wconn) selectIn(prefix string, keys []any, ncols int, row func([]driver.Value) error) error {
	for i := 0; i < len(keys); {
		c := chunk(len(keys) - i)
		key := prefix + "in" + strconv.Itoa(c)
		q, ok := w.queryKeys[key]
		if !ok {
			w.sql.Reset()
			w.sql.WriteString(prefix)
			w.sql.WriteByte('(')
			for j := range c {
				if j > 0 {
					w.sql.WriteByte(',')
				}
				w.sql.WriteByte('?')
			}
			w.sql.WriteByte(')')
			q = w.sql.String()
			w.queryKeys[key] = q
		}
		if err := w.query(q, w.setArgs(keys[i:i+c]), ncols, row); err != nil {
			return err
		}
		i += c
	}
	return nil
}

// close finalizes the prepared statements.
func (w *wconn) close() error {
	var errs []error
	for q, st := range w.stmts {
		if err := st.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close statement %.40q: %w", q, err))
		}
	}
	w.stmts = nil
	return errors.Join(errs...)
}
