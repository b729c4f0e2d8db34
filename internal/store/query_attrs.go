package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrFilter is TraceQuery.Attributes prepared for checking traces.
type attrFilter struct {
	keys, values []string
	// byResource[i] holds the resources whose attributes satisfy pair i.
	byResource []map[uint64]bool
}

func newAttrFilter(m map[string]string, v *dictView, st *stopper) (*attrFilter, error) {
	f := &attrFilter{}
	for k := range m {
		f.keys = append(f.keys, k)
	}
	slices.Sort(f.keys)
	for _, k := range f.keys {
		f.values = append(f.values, m[k])
		f.byResource = append(f.byResource, map[uint64]bool{})
	}
	for id := 1; id < len(v.resources); id++ {
		if err := st.tick(); err != nil {
			return nil, fmt.Errorf("store: search traces: %w", err)
		}
		r, err := parseResource(v.resources[id].data)
		if err != nil {
			return nil, fmt.Errorf("store: search traces: resource %d: %w", id, err)
		}
		attrs, err := jsonMapOf(r.attrs, v, st)
		if err != nil {
			return nil, fmt.Errorf("store: search traces: resource %d: %w", id, err)
		}
		for i, k := range f.keys {
			if val, ok := attrs[k]; ok && attrString(val) == f.values[i] {
				f.byResource[i][uint64(id)] = true
			}
		}
	}
	return f, nil
}

// traceHasAttrs reports whether every pair of f is found on a span of
// trace seq or on its resource, decoding spans until they all are.
func (s *Store) traceHasAttrs(ctx context.Context, seq int64, f *attrFilter, v *dictView, st *stopper) (bool, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT payload FROM spans WHERE trace_seq = ?", seq)
	if err != nil {
		return false, fmt.Errorf("store: search traces: %w", err)
	}
	defer rows.Close()
	found := make([]bool, len(f.keys))
	left := len(found)
	for rows.Next() && left > 0 {
		if err := st.tick(); err != nil {
			return false, fmt.Errorf("store: search traces: %w", err)
		}
		var payload sql.RawBytes
		if err := rows.Scan(&payload); err != nil {
			return false, fmt.Errorf("store: search traces: %w", err)
		}
		rec, err := parseSpan(payload, v, st)
		if err != nil {
			return false, fmt.Errorf("store: search traces: trace %d: %w", seq, err)
		}
		var attrs map[string]any
		for i, done := range found {
			if done {
				continue
			}
			if !f.byResource[i][rec.resource] {
				if attrs == nil {
					if attrs, err = jsonMapOf(rec.attrs, v, st); err != nil {
						return false, fmt.Errorf("store: search traces: trace %d: %w", seq, err)
					}
				}
				if val, ok := attrs[f.keys[i]]; !ok || attrString(val) != f.values[i] {
					continue
				}
			}
			found[i] = true
			left--
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: search traces: %w", err)
	}
	return left == 0, nil
}

// attrString is the string form of a decoded attribute value, as
// pcommon.Value.AsString gives it.
func attrString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pcommon.NewValueDouble(x).AsString()
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
