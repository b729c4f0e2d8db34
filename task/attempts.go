package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// attemptRecord is what the attempt bucket keeps of one attempt of a task:
// enough to link a later attempt's CONSUMER span to this one's.
type attemptRecord struct {
	Attempt int       `json:"attempt"`
	TraceID string    `json:"trace_id"`
	SpanID  string    `json:"span_id"`
	Worker  string    `json:"worker"`
	PID     int       `json:"pid"`
	Host    string    `json:"host,omitempty"`
	Start   time.Time `json:"start"`
}

// maxAttemptRecords bounds the records kept per task (the latest ones).
const maxAttemptRecords = 16

// Attempt bucket settings: records matter only while a task can still be
// redelivered, so they live in memory, expire and are bounded in size.
const (
	attemptTTL      = 24 * time.Hour
	attemptMaxBytes = 64 << 20
	attemptReadWait = 2 * time.Second
)

// attemptStore keeps, under the key TASK-ID of a KeyValue bucket, the JSON
// array of the records of the task's attempts so far.
type attemptStore struct {
	nc     *nats.Conn
	kv     jetstream.KeyValue
	bucket string
	logger *slog.Logger
}

func openAttemptStore(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, bucket string, logger *slog.Logger) (*attemptStore, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: "sightline task attempts: span contexts for links between redelivered attempts",
		TTL:         attemptTTL,
		MaxBytes:    attemptMaxBytes,
		Storage:     jetstream.MemoryStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update attempt bucket %q: %w", bucket, err)
	}
	return &attemptStore{nc: nc, kv: kv, bucket: bucket, logger: logger}, nil
}

// earlier returns the records of the attempts of task id before attempt,
// or nil when there are none or they cannot be read (logged).
func (s *attemptStore) earlier(ctx context.Context, id string, attempt int) []attemptRecord {
	ctx, cancel := context.WithTimeout(ctx, attemptReadWait)
	defer cancel()
	e, err := s.kv.Get(ctx, id)
	if err != nil {
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			s.logger.Warn("task: cannot read earlier attempts; the span will have no links",
				"bucket", s.bucket, "task.id", id, "error", err)
		}
		return nil
	}
	recs, err := decodeAttempts(e.Value())
	if err != nil {
		s.logger.Warn("task: bad attempt record ignored", "bucket", s.bucket, "task.id", id, "error", err)
		return nil
	}
	out := recs[:0]
	for _, r := range recs {
		if r.Attempt < attempt {
			out = append(out, r)
		}
	}
	return out
}

// record stores earlier plus rec under id. It publishes on the bucket's
// subject without waiting for the server's acknowledgement, so that the
// task does not wait for it; the connection keeps the order, so the
// record is stored before anything the task publishes later.
func (s *attemptStore) record(id string, earlier []attemptRecord, rec attemptRecord) {
	recs := append(append(make([]attemptRecord, 0, len(earlier)+1), earlier...), rec)
	if len(recs) > maxAttemptRecords {
		recs = recs[len(recs)-maxAttemptRecords:]
	}
	data, err := json.Marshal(recs)
	if err == nil {
		err = s.nc.Publish("$KV."+s.bucket+"."+id, data)
	}
	if err != nil {
		s.logger.Warn("task: cannot record attempt", "bucket", s.bucket, "task.id", id, "error", err)
	}
}

func (e *executor) newRecord(attempt int, sc trace.SpanContext, start time.Time) attemptRecord {
	return attemptRecord{
		Attempt: attempt,
		TraceID: sc.TraceID().String(),
		SpanID:  sc.SpanID().String(),
		Worker:  e.workerID,
		PID:     e.pid,
		Host:    e.host,
		Start:   start.UTC(),
	}
}

// decodeAttempts reads an attempt bucket value (network input).
func decodeAttempts(data []byte) ([]attemptRecord, error) {
	var recs []attemptRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("decode attempt records: %w", err)
	}
	for i, r := range recs {
		if r.Attempt < 1 {
			return nil, fmt.Errorf("attempt record %d: attempt %d is not positive", i, r.Attempt)
		}
		if _, err := trace.TraceIDFromHex(r.TraceID); err != nil {
			return nil, fmt.Errorf("attempt record %d: trace id %q: %w", i, r.TraceID, err)
		}
		if _, err := trace.SpanIDFromHex(r.SpanID); err != nil {
			return nil, fmt.Errorf("attempt record %d: span id %q: %w", i, r.SpanID, err)
		}
	}
	return recs, nil
}

// attemptLinks links to the CONSUMER spans of earlier attempts (records
// from decodeAttempts, so the ids parse).
func attemptLinks(recs []attemptRecord) []trace.Link {
	links := make([]trace.Link, 0, len(recs))
	for _, r := range recs {
		tid, _ := trace.TraceIDFromHex(r.TraceID)
		sid, _ := trace.SpanIDFromHex(r.SpanID)
		links = append(links, trace.Link{
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true,
			}),
			Attributes: []attribute.KeyValue{
				attribute.Int("task.attempt", r.Attempt),
				attribute.String("worker.id", r.Worker),
				attribute.Int("worker.pid", r.PID),
			},
		})
	}
	return links
}
