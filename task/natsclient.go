package task

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// duplicateWindow is the stream's de-duplication window: a task published
// twice with the same id (Nats-Msg-Id) within it is stored once.
const duplicateWindow = 2 * time.Minute

// DialNATS connects to the NATS server at url (nats://host:port; a
// comma-separated list for a cluster) and returns a client that submits
// tasks to a JetStream work-queue stream. The stream (WithStream, default
// SIGHTLINE_TASKS, subjects PREFIX.run.>) is created, or updated to these
// settings, by whoever connects first: a client or a worker. Results come
// back on a per-client inbox (core NATS). Close closes the connection.
//
// Options that apply: WithStream, WithSubjectPrefix, WithNATSOptions,
// WithTracerProvider, WithPropagator, WithLogger; worker options are kept
// for NewWorker.
func DialNATS(ctx context.Context, url string, opts ...Option) (*Client, error) {
	cfg := newConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("task: dial NATS %s: %w", url, err)
	}
	nc, err := nats.Connect(url, append([]nats.Option{nats.Name("sightline-task")}, cfg.natsOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("task: connect to NATS at %s: %w", url, err)
	}
	c, err := newNATSClient(ctx, cfg, nc, true)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// NewNATSClient is DialNATS over a connection the caller owns: Close
// leaves it open.
func NewNATSClient(ctx context.Context, nc *nats.Conn, opts ...Option) (*Client, error) {
	cfg := newConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("task: NATS client: %w", err)
	}
	return newNATSClient(ctx, cfg, nc, false)
}

func newNATSClient(ctx context.Context, cfg config, nc *nats.Conn, owned bool) (*Client, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("task: JetStream on %s: %w", nc.ConnectedUrlRedacted(), err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.stream,
		Description: "sightline tasks (work queue)",
		Subjects:    []string{cfg.prefix + ".run.>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  duplicateWindow,
	}); err != nil {
		return nil, fmt.Errorf("task: create or update stream %q (subjects %s.run.>): %w", cfg.stream, cfg.prefix, err)
	}
	c := newClient(cfg)
	t := &natsTransport{nc: nc, js: js, owned: owned, prefix: cfg.prefix, inbox: nc.NewInbox()}
	t.sub, err = nc.Subscribe(t.inbox+".*", func(m *nats.Msg) { c.receive(m.Data, lastToken(m.Subject)) })
	if err != nil {
		return nil, fmt.Errorf("task: subscribe to results on %s.*: %w", t.inbox, err)
	}
	c.t = t
	return c, nil
}

// natsTransport submits to JetStream and receives results on an inbox.
type natsTransport struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	owned  bool
	prefix string
	inbox  string
	sub    *nats.Subscription
}

func (t *natsTransport) subject(function string) string { return t.prefix + ".run." + function }
func (t *natsTransport) replyTo(id string) string       { return t.inbox + "." + id }
func (t *natsTransport) system() string                 { return "nats" }

func (t *natsTransport) send(ctx context.Context, id, subject string, h nats.Header, data []byte) error {
	_, err := t.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Header: h, Data: data}, jetstream.WithMsgID(id))
	return err
}

// cancel publishes on PREFIX.cancel.ID; the worker running the task, if
// any, cancels its context.
func (t *natsTransport) cancel(id string) {
	_ = t.nc.Publish(t.prefix+".cancel."+id, nil)
}

func (t *natsTransport) close() error {
	err := t.sub.Unsubscribe()
	if t.owned {
		_ = t.nc.FlushTimeout(time.Second)
		t.nc.Close()
		return nil
	}
	if err != nil && !t.nc.IsClosed() {
		return fmt.Errorf("task: unsubscribe from results: %w", err)
	}
	return nil
}

func lastToken(subject string) string {
	return subject[strings.LastIndexByte(subject, '.')+1:]
}
