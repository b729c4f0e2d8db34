package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Changes tokens. A trace with open spans changes while it is watched: a
// page polls for what changed since its last answer instead of fetching
// the whole trace again. Every transaction that changes a tracked trace
// (one that has had an open span: traces.tracked) takes the next change
// number (the counters row 'changes') and upserts, for every span it
// stored or changed, a span_changes row (trace, span id) holding that
// number. The spans changed since number n are then an index range of
// span_changes_seq, whatever the trace's size.
//
// A token names the trace, the store's epoch (a random number drawn when
// the file was created, so a token never applies to another file) and
// either the change number seen (tracked traces) or the span count seen
// (untracked ones, which record nothing: their spans only ever add to
// the count). When the difference cannot be told (an untracked trace
// that grew or became tracked, another epoch) the answer says Reset.

// ErrBadToken is wrapped by the error for a changes token that is not one
// this store returned for that trace.
var ErrBadToken = errors.New("store: bad changes token")

// DefaultChangesLimit is the most spans a changes answer holds unless
// asked otherwise (ChangesQuery.Limit).
const defaultChangesLimit = 1000

type changesToken struct {
	Trace string `json:"r"`           // trace id, hex
	Epoch int64  `json:"e"`           // the store's epoch
	Seq   int64  `json:"q,omitempty"` // tracked: the change number seen
	Span  string `json:"s,omitempty"` // tracked: the last span id seen of change Seq (a cut answer), hex
	Count int64  `json:"n,omitempty"` // untracked: the span count seen
	// Untracked says the trace recorded no changes when the token was
	// made.
	Untracked bool `json:"u,omitempty"`
}

func (t changesToken) encode() string {
	b, _ := json.Marshal(t) // strings, ints and a bool: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (changesToken, error) {
	var t changesToken
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return t, fmt.Errorf("%w %q: not base64url", ErrBadToken, trim(s))
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, fmt.Errorf("%w %q: %w", ErrBadToken, trim(s), err)
	}
	if t.Span != "" {
		if b, err := hex.DecodeString(t.Span); err != nil || len(b) != 8 {
			return t, fmt.Errorf("%w %q: bad span id", ErrBadToken, trim(s))
		}
	}
	return t, nil
}

// changeNumber returns the transaction's change number, taking the next
// one at its first change (the writer's).
func (s *Store) changeNumber(c *txCounts) int64 {
	if c.changeSeq == 0 {
		s.changeSeq++
		c.changeSeq = s.changeSeq
	}
	return c.changeSeq
}

// recordChanges upserts the span_changes rows of the traces tracked after
// the transaction: every finished span stored and every heartbeat applied.
func (s *Store) recordChanges(w *wconn, list []*txTrace, c *txCounts) error {
	var rows []changeRow
	var seqs []int64
	for _, t := range list {
		if !t.row.tracked {
			continue
		}
		for _, sp := range t.spans {
			rows = append(rows, changeRow{sp.spanID, sp.start})
			seqs = append(seqs, t.old.seq)
		}
		for _, ch := range t.d.changed {
			rows = append(rows, ch)
			seqs = append(seqs, t.old.seq)
		}
	}
	return s.upsertChanges(w, rows, seqs, c)
}

// upsertChanges records rows (of traces seqs) as changed by the
// transaction.
func (s *Store) upsertChanges(w *wconn, rows []changeRow, seqs []int64, c *txCounts) error {
	if len(rows) == 0 {
		return nil
	}
	n := s.changeNumber(c)
	_, err := w.execRows("INSERT INTO span_changes (trace_seq, span_id, start_ns, change_seq) VALUES ",
		" ON CONFLICT (trace_seq, span_id) DO UPDATE SET start_ns = excluded.start_ns, change_seq = excluded.change_seq",
		4, len(rows), func(i int, dst []any) []any {
			return append(dst, seqs[i], rows[i].spanID[:], rows[i].start, n)
		})
	if err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	return nil
}

// token returns the changes token of row as of the read transaction q.
func (s *Store) token(ctx context.Context, q queryer, row *traceRow) (string, error) {
	t := changesToken{Trace: hex.EncodeToString(row.traceID[:]), Epoch: s.epoch}
	if !row.tracked {
		t.Untracked, t.Count = true, row.spans
		return t.encode(), nil
	}
	rows, err := q.QueryContext(ctx, "SELECT change_seq FROM span_changes WHERE trace_seq = ? ORDER BY change_seq DESC LIMIT 1", row.seq)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&t.Seq); err != nil {
			return "", err
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return t.encode(), nil
}

// TraceChanges returns what changed in a trace since token (the Changes
// of a TracePage or of a previous TraceChanges): the spans stored or
// changed in state or content since then, each in its current form and
// state, in the order they changed, at most limit of them (0 means 1000,
// at most 10000), with the trace's summary and a new token in Changes.
// More says the answer was cut at limit: ask again at once with its
// token. Reset (with no spans and no token) says the difference cannot
// be told: the trace has no record of its changes since token (it had
// no open span then and has grown since) or token is of another store:
// fetch the trace again with Trace. An answer costs about the spans it
// holds, whatever the trace's size. A token of another trace, or not a
// token, fails with ErrBadToken; a trace no longer stored with
// ErrNotFound.
func (s *Store) TraceChanges(ctx context.Context, traceID, token string, limit int) (TracePage, error) {
	if s.isClosed() {
		return TracePage{}, ErrClosed
	}
	tid, err := parseTraceID(traceID)
	if err != nil {
		return TracePage{}, fmt.Errorf("store: %w", err)
	}
	if limit < 0 || limit > maxSpanLimit {
		return TracePage{}, fmt.Errorf("store: trace changes: limit %d is not in [0, %d]", limit, maxSpanLimit)
	}
	if limit == 0 {
		limit = defaultChangesLimit
	}
	tok, err := decodeToken(token)
	if err != nil {
		return TracePage{}, err
	}
	id := hex.EncodeToString(tid[:])
	if tok.Trace != id {
		return TracePage{}, fmt.Errorf("%w: it follows trace %s, not %s", ErrBadToken, trim(tok.Trace), id)
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
	}
	defer tx.Rollback() // read-only: nothing to commit
	row, err := readTrace(ctx, tx, tid)
	if err != nil {
		return TracePage{}, err
	}
	v := s.dict.view()
	out := TracePage{TraceID: id, Resources: []Resource{}, Spans: []Span{}, Summary: summaryOf(&row, &v)}
	switch {
	case tok.Epoch != s.epoch, tok.Untracked && (row.tracked || row.spans != tok.Count), !tok.Untracked && !row.tracked:
		out.Reset = true
		return out, nil
	case tok.Untracked:
		out.Changes = token // nothing changed
		return out, nil
	}
	changed, err := readChanged(ctx, tx, row.seq, tok, limit+1)
	if err != nil {
		return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
	}
	next := changesToken{Trace: id, Epoch: s.epoch, Seq: tok.Seq}
	if len(changed) > limit {
		changed = changed[:limit]
		last := changed[limit-1]
		next.Seq, next.Span, out.More = last.seq, hex.EncodeToString(last.spanID[:]), true
	} else if n := len(changed); n > 0 {
		next.Seq = changed[n-1].seq
	}
	b := newPageBuilder(&out, &v, s.stopper(ctx))
	for _, ch := range changed {
		if err := b.st.tick(); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
		}
		if err := b.addCurrent(ctx, tx, row.seq, ch.spanID, ch.start); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: span %x: %w", id, ch.spanID[:], err)
		}
	}
	out.Changes = next.encode()
	return out, nil
}

// changedSpan is a span_changes row read back.
type changedSpan struct {
	changeRow
	seq int64
}

// readChanged reads the span_changes rows of trace seq after tok's
// position, in change order, at most n.
func readChanged(ctx context.Context, q queryer, seq int64, tok changesToken, n int) ([]changedSpan, error) {
	query := "SELECT span_id, start_ns, change_seq FROM span_changes WHERE trace_seq = ? AND change_seq > ?"
	args := []any{seq, tok.Seq}
	if tok.Span != "" {
		after, _ := hex.DecodeString(tok.Span) // checked by decodeToken
		query = "SELECT span_id, start_ns, change_seq FROM span_changes WHERE trace_seq = ? AND (change_seq, span_id) > (?, ?)"
		args = append(args, after)
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY change_seq, span_id LIMIT ?", append(args, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []changedSpan
	for rows.Next() {
		var c changedSpan
		var sid []byte
		if err := rows.Scan(&sid, &c.start, &c.seq); err != nil {
			return nil, err
		}
		if len(sid) != len(c.spanID) {
			return nil, fmt.Errorf("%w: span_changes.span_id is not 8 bytes", ErrCorrupt)
		}
		copy(c.spanID[:], sid)
		out = append(out, c)
	}
	return out, rows.Err()
}
