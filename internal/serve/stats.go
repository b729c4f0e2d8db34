package serve

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
)

// Stats is what GET /api/stats answers: the receivers' and the store's
// counters (docs/api.md).
type Stats struct {
	// Receiver holds the OTLP receivers' counters.
	Receiver otlp.Stats `json:"receiver"`
	// Store holds the store's counters; nil when they could not be read
	// (StoreError says why).
	Store *store.Stats `json:"store,omitempty"`
	// StoreError says why the store's counters could not be read; "" when
	// they were.
	StoreError string `json:"store_error,omitempty"`
	// DataFile is the store's SQLite file.
	DataFile string `json:"data_file"`
	// StartedUnixNano is when the server started, in nanoseconds since
	// the Unix epoch.
	StartedUnixNano int64 `json:"started_unix_nano"`
	// Forward is the forwarder's counters, state and settings (header
	// values left out); null when forwarding is off.
	Forward *ForwardStats `json:"forward"`
}

// apiStats is the query API's GET /api/stats.
func (s *Server) apiStats() any {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out := Stats{Receiver: s.rcv.Stats(), DataFile: s.addrs.DataFile, StartedUnixNano: s.started.UnixNano(), Forward: s.forwardStats()}
	if st, err := s.st.Stats(ctx); err != nil {
		out.StoreError = err.Error()
	} else {
		out.Store = &st
	}
	return out
}
