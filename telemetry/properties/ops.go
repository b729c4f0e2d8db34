package properties

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Get returns every property of component, key to list of values. A
// component with no properties gives an empty map, not an error. A key
// stored with an empty list maps to an empty, non-nil slice. A value that
// does not decode (a file edited by hand) fails the whole Get with an
// error naming the component and key.
func (s *Store) Get(ctx context.Context, component string) (map[string][]string, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if err := checkComponent(component); err != nil {
		return nil, err
	}
	var out map[string][]string
	err := retry(ctx, func(ctx context.Context) error {
		out = map[string][]string{}
		rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM properties WHERE component = ?`, component)
		if err != nil {
			return fmt.Errorf("properties: get component %q from %s: %w", component, s.path, err)
		}
		defer rows.Close()
		for rows.Next() {
			var key, text string
			if err := rows.Scan(&key, &text); err != nil {
				return fmt.Errorf("properties: get component %q from %s: %w", component, s.path, err)
			}
			values, err := decode(text)
			if err != nil {
				return fmt.Errorf("properties: component %q key %q in %s: stored value %s is not a JSON array of strings: %w",
					component, key, s.path, display(text), err)
			}
			out[key] = values
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("properties: get component %q from %s: %w", component, s.path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Set stores props for component in one transaction: either every key is
// written or none is. A key with a nil or empty slice stores an empty list
// (it is not deleted; use Delete for that). Keys not in props are left as
// they are. An empty props is a no-op.
func (s *Store) Set(ctx context.Context, component string, props map[string][]string) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := checkComponent(component); err != nil {
		return err
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys) // validate and write in a stable order
	texts := make([]string, len(keys))
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			return err
		}
		if err := checkValues(k, props[k]); err != nil {
			return err
		}
		texts[i] = encode(props[k])
	}
	if len(keys) == 0 {
		return nil
	}
	return s.write(ctx, "set", component, func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO properties (component, key, value, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (component, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := time.Now().UnixNano()
		for i, k := range keys {
			if _, err := stmt.ExecContext(ctx, component, k, texts[i], now); err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
		}
		return nil
	})
}

// SetProperties is Set under the name telemetry/admin's Persister asks for,
// so a Store persists admin changes made with ?persist=1 directly.
func (s *Store) SetProperties(ctx context.Context, component string, props map[string][]string) error {
	return s.Set(ctx, component, props)
}

// Delete removes keys from component in one transaction. A key that is not
// stored is not an error; no keys is a no-op.
func (s *Store) Delete(ctx context.Context, component string, keys ...string) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := checkComponent(component); err != nil {
		return err
	}
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return s.write(ctx, "delete from", component, func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `DELETE FROM properties WHERE component = ? AND key = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range keys {
			if _, err := stmt.ExecContext(ctx, component, k); err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
		}
		return nil
	})
}

// Components returns the names of the components that have at least one
// property, sorted (byte order).
func (s *Store) Components(ctx context.Context) ([]string, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	var out []string
	err := retry(ctx, func(ctx context.Context) error {
		out = []string{}
		rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT component FROM properties ORDER BY component`)
		if err != nil {
			return fmt.Errorf("properties: list components in %s: %w", s.path, err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return fmt.Errorf("properties: list components in %s: %w", s.path, err)
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("properties: list components in %s: %w", s.path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// usable reports ErrClosed after Close.
func (s *Store) usable() error {
	if s.closed.Load() {
		return fmt.Errorf("%w: %s", ErrClosed, s.path)
	}
	return nil
}

// encode renders values as the stored JSON array, without HTML escaping so
// the file reads naturally in the sqlite3 CLI. nil becomes [].
func encode(values []string) string {
	if values == nil {
		values = []string{}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(values) // a []string of valid UTF-8 always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// decode parses a stored value, which must be a JSON array of strings.
func decode(text string) ([]string, error) {
	var values []string
	if err := json.Unmarshal([]byte(text), &values); err != nil {
		return nil, err
	}
	if values == nil {
		return nil, errors.New("null is not an array")
	}
	return values, nil
}
