package demo

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS is an embedded NATS server with JetStream, for the demo's task
// queue: `sightline demo` needs no nats-server installed. (Tests of package
// task run Debian's nats-server instead; a facility points workers at its
// own NATS cluster.)
type NATS struct {
	srv *server.Server
}

// StartNATS runs a NATS server with JetStream on a free loopback port,
// storing its streams under dir.
func StartNATS(dir string) (*NATS, error) {
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir,
		NoLog: true, NoSigs: true, ServerName: "sightline-demo",
	})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, errors.New("embedded NATS server: not ready for connections within 10s")
	}
	return &NATS{srv: srv}, nil
}

// URL is the server's client URL (nats://127.0.0.1:PORT).
func (n *NATS) URL() string { return n.srv.ClientURL() }

// Stop shuts the server down and waits for it.
func (n *NATS) Stop() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}
