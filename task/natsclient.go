package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
// back on a per-client inbox (core NATS). Shutdown closes the connection.
//
// Before it connects it runs the startup hook (WithHook, else HookEnv; at
// most once per process) and fails, naming the registered hooks, for an
// unknown one, or with the hook's error.
func DialNATS(ctx context.Context, url string, opts ...ClientOption) (*Client, error) {
	cfg := newClientConfig(opts)
	if err := errors.Join(cfg.nats.check(), cfg.common.checkHook()); err != nil {
		return nil, fmt.Errorf("task: dial NATS %s: %w", url, err)
	}
	if err := cfg.common.startHook(ctx); err != nil {
		return nil, fmt.Errorf("task: dial NATS %s: %w", url, err)
	}
	return dialNATS(ctx, url, cfg)
}

// dialNATS connects; the startup hook has been dealt with.
func dialNATS(ctx context.Context, url string, cfg clientConfig) (*Client, error) {
	nc, err := nats.Connect(url, append([]nats.Option{nats.Name("sightline-task")}, cfg.nats.natsOpts...)...)
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

// NewNATSClient is DialNATS over a connection the caller owns: Shutdown
// leaves it open. It runs the startup hook as DialNATS does. WithNATSOptions does not apply (the connection is made)
// and is an error.
func NewNATSClient(ctx context.Context, nc *nats.Conn, opts ...ClientOption) (*Client, error) {
	cfg := newClientConfig(opts)
	err := errors.Join(cfg.nats.check(), cfg.common.checkHook())
	if cfg.nats.natsOptsSet {
		err = errors.Join(err, errors.New("WithNATSOptions does not apply to a connection made by the caller: give them to nats.Connect"))
	}
	if err != nil {
		return nil, fmt.Errorf("task: NATS client: %w", err)
	}
	if err := cfg.common.startHook(ctx); err != nil {
		return nil, fmt.Errorf("task: NATS client: %w", err)
	}
	return newNATSClient(ctx, cfg, nc, false)
}

func newNATSClient(ctx context.Context, cfg clientConfig, nc *nats.Conn, owned bool) (*Client, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("task: JetStream on %s: %w", nc.ConnectedUrlRedacted(), err)
	}
	stream, prefix := cfg.nats.stream, cfg.nats.prefix
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        stream,
		Description: "sightline tasks (work queue)",
		Subjects:    []string{prefix + ".run.>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  duplicateWindow,
	}); err != nil {
		return nil, fmt.Errorf("task: create or update stream %q (subjects %s.run.>): %w", stream, prefix, err)
	}
	c := newClient(cfg.common)
	t := &natsTransport{nc: nc, js: js, owned: owned, stream: stream, prefix: prefix, inbox: nc.NewInbox()}
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
	stream string
	prefix string
	inbox  string
	sub    *nats.Subscription

	shutOnce sync.Once
	shutErr  error
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

// flushWait bounds the flush of an owned connection at shutdown when the
// context has no deadline.
const flushWait = time.Second

// shutdown stops receiving results and, when the client made the
// connection, flushes and closes it; only the first call does.
func (t *natsTransport) shutdown(ctx context.Context) error {
	t.shutOnce.Do(func() {
		err := t.sub.Unsubscribe()
		if t.owned {
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, flushWait)
				defer cancel()
			}
			_ = t.nc.FlushWithContext(ctx)
			t.nc.Close()
			return
		}
		if err != nil && !t.nc.IsClosed() {
			t.shutErr = fmt.Errorf("unsubscribe from results on %s.*: %w", t.inbox, err)
		}
	})
	return t.shutErr
}

func lastToken(subject string) string {
	return subject[strings.LastIndexByte(subject, '.')+1:]
}
