package server

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/remote"
)

// keepDone is how long a finished operation stays to be asked about after
// its end was first reported (a client that lost the answer can ask again).
const keepDone = time.Minute

// maxOperations bounds the operations a server tracks at once.
const maxOperations = 10000

// operations are the async commands (moves, triggers) a server follows for
// its clients. Finished ones are swept lazily when new ones start: no
// goroutine of its own.
type operations struct {
	mu   sync.Mutex
	byID map[string]*operation
}

type operation struct {
	id       string
	device   string
	status   *device.Status
	reported time.Time // when its end was first reported; zero before
}

func newOperations() *operations { return &operations{byID: map[string]*operation{}} }

// add tracks st and returns its id.
func (o *operations) add(dev string, st *device.Status) (string, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	op := &operation{id: hex.EncodeToString(b[:]), device: dev, status: st}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sweepLocked(time.Now())
	if len(o.byID) >= maxOperations {
		st.Cancel("too many operations in progress on the server")
		return "", newError(remote.CodeFailed, "device %s: %d operations in progress, the most a server follows", dev, maxOperations)
	}
	o.byID[op.id] = op
	return op.id, nil
}

func (o *operations) sweepLocked(now time.Time) {
	for id, op := range o.byID {
		if !op.reported.IsZero() && now.Sub(op.reported) > keepDone {
			delete(o.byID, id)
		}
	}
}

func (o *operations) get(id string) *operation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.byID[id]
}

// reported notes that op's end was sent to a client.
func (o *operations) reported(op *operation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if op.reported.IsZero() {
		op.reported = time.Now()
	}
}

// cancelDevice cancels the pending operations of one device.
func (o *operations) cancelDevice(dev, reason string) {
	for _, op := range o.snapshot() {
		if op.device == dev {
			op.status.Cancel(reason)
		}
	}
}

// cancelAll cancels every pending operation.
func (o *operations) cancelAll(reason string) {
	for _, op := range o.snapshot() {
		op.status.Cancel(reason)
	}
}

func (o *operations) snapshot() []*operation {
	o.mu.Lock()
	defer o.mu.Unlock()
	ops := make([]*operation, 0, len(o.byID))
	for _, op := range o.byID {
		ops = append(ops, op)
	}
	return ops
}
