package store

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Sink is a Store as the OTLP receivers' sink (internal/otlp.Sink) and the
// importer's (internal/importer.Sink): an Append returns once its batch is
// committed, with the number of items rejected as invalid and why (the
// partial success of OTLP), or the error that kept the batch out.
type Sink struct {
	// Store is where the batches go; it must be open.
	Store *Store
}

// AppendTraces stores td (see [Store.AppendTraces]).
func (s Sink) AppendTraces(ctx context.Context, td ptrace.Traces) (rejected int, message string, err error) {
	res, err := s.Store.AppendTraces(ctx, td)
	if err != nil {
		return 0, "", err
	}
	return res.Rejected, res.RejectMessage, nil
}

// AppendLogs stores ld (see [Store.AppendLogs]).
func (s Sink) AppendLogs(ctx context.Context, ld plog.Logs) (rejected int, message string, err error) {
	res, err := s.Store.AppendLogs(ctx, ld)
	if err != nil {
		return 0, "", err
	}
	return res.Rejected, res.RejectMessage, nil
}
