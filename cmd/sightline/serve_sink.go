package main

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store"
)

// storeSink is the store as the receivers' otlp.Sink (and the importer's
// importer.Sink): an Append returns once its batch is committed, and
// reports invalid items as rejected.
type storeSink struct{ st *store.Store }

func (s storeSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	res, err := s.st.AppendTraces(ctx, td)
	if err != nil {
		return 0, "", err
	}
	return res.Rejected, res.RejectMessage, nil
}

func (s storeSink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	res, err := s.st.AppendLogs(ctx, ld)
	if err != nil {
		return 0, "", err
	}
	return res.Rejected, res.RejectMessage, nil
}
