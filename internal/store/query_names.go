package store

import (
	"context"
	"fmt"
	"slices"
)

// Services returns the names of the services that have stored traces or
// logs, sorted. One index seek per service ever seen.
func (s *Store) Services(ctx context.Context) ([]string, error) {
	return s.names(ctx, "services", "SELECT name FROM services s WHERE "+
		"EXISTS (SELECT 1 FROM trace_services WHERE service_id = s.id) OR "+
		"EXISTS (SELECT 1 FROM logs WHERE service_id = s.id)")
}

// SpanNames returns the span names of service found in stored traces,
// sorted; none for an unknown service. One index seek per name the
// service ever had.
func (s *Store) SpanNames(ctx context.Context, service string) ([]string, error) {
	svc, ok := s.dict.lookupService(service)
	if !ok {
		return []string{}, nil
	}
	return s.names(ctx, "span names", "SELECT name FROM span_names n WHERE service_id = ? AND "+
		"EXISTS (SELECT 1 FROM trace_names WHERE name_id = n.id)", int64(svc))
}

func (s *Store) names(ctx context.Context, what, query string, args ...any) ([]string, error) {
	out := []string{}
	if s.isClosed() {
		return out, ErrClosed
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	st := s.stopper(ctx)
	for rows.Next() {
		if err := st.tick(); err != nil {
			return out, fmt.Errorf("store: %s: %w", what, err)
		}
		var name string
		if err := rows.Scan(&name); err != nil {
			return out, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("store: %s: %w", what, err)
	}
	slices.Sort(out)
	return out, nil
}
