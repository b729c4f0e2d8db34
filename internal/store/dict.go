package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// The dictionary interns what spans and log records repeat: service
// names, span names (per service), attribute keys, resources and scopes.
// Each gets a small integer id, and rows refer to it. The dictionary is
// loaded into memory at Open and is authoritative while the Store is open
// (the data directory's lock file keeps a second process out): encoders
// assign ids in the callers' goroutines, and the writer persists new
// entries in the same transaction as the first rows using them (see
// pendingSnapshot). Entries are never deleted.

const (
	kindService = iota + 1
	kindName
	kindKey
	kindResource
	kindScope
)

// Limits on what is interned. Beyond them a key or span name is written
// inline in the payload instead: still stored and shown, but a span name
// stored inline cannot be searched for and is not listed by SpanNames.
const (
	maxInternedKeys  = 1 << 16
	maxInternedNames = 1 << 20
	maxInternedLen   = 1024
)

type dictEntry struct {
	kind uint8
	id   uint64
	ref  uint64 // the service of a span name or a resource
	text string // service name, span name, attribute key
	data []byte // encoded resource or scope
}

type nameKey struct {
	service uint64
	name    string
}

type nameEntry struct {
	service uint64
	name    string
}

type resourceEntry struct {
	service uint64
	data    []byte
}

type dict struct {
	mu        sync.RWMutex
	services  map[string]uint64
	names     map[nameKey]uint64
	keys      map[string]uint64
	resources map[string]uint64
	scopes    map[string]uint64
	v         dictView // lists indexed by id; element 0 is unused
	pending   []dictEntry
}

// dictView is a snapshot of the dictionary's lists for readers. The lists
// only grow and their elements never change, so a snapshot taken under
// the lock can be read without it.
type dictView struct {
	services  []string
	names     []nameEntry
	keys      []string
	resources []resourceEntry
	scopes    [][]byte
}

func newDict() *dict {
	return &dict{
		services:  map[string]uint64{},
		names:     map[nameKey]uint64{},
		keys:      map[string]uint64{},
		resources: map[string]uint64{},
		scopes:    map[string]uint64{},
		v: dictView{
			services: []string{""}, names: []nameEntry{{}}, keys: []string{""},
			resources: []resourceEntry{{}}, scopes: [][]byte{nil},
		},
	}
}

func (d *dict) view() dictView {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.v
}

// service returns the id of the service named name, creating it.
func (d *dict) service(name string) uint64 {
	d.mu.RLock()
	id, ok := d.services[name]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.services[name]; ok {
		return id
	}
	id = uint64(len(d.v.services))
	d.services[name] = id
	d.v.services = append(d.v.services, name)
	d.pending = append(d.pending, dictEntry{kind: kindService, id: id, text: name})
	return id
}

// name returns the id of span name name of service, creating it, or 0
// when it is not interned (see maxInternedNames).
func (d *dict) name(service uint64, name string) uint64 {
	k := nameKey{service, name}
	d.mu.RLock()
	id, ok := d.names[k]
	d.mu.RUnlock()
	if ok {
		return id
	}
	if len(name) > maxInternedLen {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.names[k]; ok {
		return id
	}
	if len(d.v.names) > maxInternedNames {
		return 0
	}
	id = uint64(len(d.v.names))
	d.names[k] = id
	d.v.names = append(d.v.names, nameEntry{service, name})
	d.pending = append(d.pending, dictEntry{kind: kindName, id: id, ref: service, text: name})
	return id
}

// key returns the id of attribute key k, creating it, or 0 when it is not
// interned.
func (d *dict) key(k string) uint64 {
	d.mu.RLock()
	id, ok := d.keys[k]
	d.mu.RUnlock()
	if ok {
		return id
	}
	if len(k) > maxInternedLen {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.keys[k]; ok {
		return id
	}
	if len(d.v.keys) > maxInternedKeys {
		return 0
	}
	id = uint64(len(d.v.keys))
	d.keys[k] = id
	d.v.keys = append(d.v.keys, k)
	d.pending = append(d.pending, dictEntry{kind: kindKey, id: id, text: k})
	return id
}

// resource returns the id of the encoded resource data of service.
func (d *dict) resource(data []byte, service uint64) uint64 {
	d.mu.RLock()
	id, ok := d.resources[string(data)]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.resources[string(data)]; ok {
		return id
	}
	data = append([]byte(nil), data...)
	id = uint64(len(d.v.resources))
	d.resources[string(data)] = id
	d.v.resources = append(d.v.resources, resourceEntry{service, data})
	d.pending = append(d.pending, dictEntry{kind: kindResource, id: id, ref: service, data: data})
	return id
}

// scope returns the id of the encoded scope data.
func (d *dict) scope(data []byte) uint64 {
	d.mu.RLock()
	id, ok := d.scopes[string(data)]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.scopes[string(data)]; ok {
		return id
	}
	data = append([]byte(nil), data...)
	id = uint64(len(d.v.scopes))
	d.scopes[string(data)] = id
	d.v.scopes = append(d.v.scopes, data)
	d.pending = append(d.pending, dictEntry{kind: kindScope, id: id, data: data})
	return id
}

// lookupService returns the id of an existing service.
func (d *dict) lookupService(name string) (uint64, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.services[name]
	return id, ok
}

// lookupNames returns the ids of span name name in service, or in every
// service when service is 0.
func (d *dict) lookupNames(service uint64, name string) []uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if service != 0 {
		if id, ok := d.names[nameKey{service, name}]; ok {
			return []uint64{id}
		}
		return nil
	}
	var ids []uint64
	for s := 1; s < len(d.v.services); s++ {
		if id, ok := d.names[nameKey{uint64(s), name}]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// pendingSnapshot returns the entries not yet known to be committed. The
// writer inserts them at the start of each transaction: every batch it
// took from the queue was encoded, and its entries added, before it was
// queued, so they are all in the snapshot.
func (d *dict) pendingSnapshot() []dictEntry {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.pending[:len(d.pending):len(d.pending)]
}

// committed drops the first n pending entries, now in the file. After a
// failed transaction they stay pending and are inserted by the next.
func (d *dict) committed(n int) {
	if n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending = append([]dictEntry(nil), d.pending[n:]...)
}

// load reads the dictionary tables. Ids are dense (assigned by this
// package in order, never deleted), which load checks.
func (d *dict) load(ctx context.Context, db *sql.DB) error {
	type table struct {
		query string
		add   func(id uint64, ref uint64, text string, data []byte) uint64
	}
	tables := []table{
		{"SELECT id, 0, name, NULL FROM services ORDER BY id", func(_, _ uint64, text string, _ []byte) uint64 {
			d.v.services = append(d.v.services, text)
			d.services[text] = uint64(len(d.v.services) - 1)
			return uint64(len(d.v.services) - 1)
		}},
		{"SELECT id, service_id, name, NULL FROM span_names ORDER BY id", func(_, ref uint64, text string, _ []byte) uint64 {
			d.v.names = append(d.v.names, nameEntry{ref, text})
			d.names[nameKey{ref, text}] = uint64(len(d.v.names) - 1)
			return uint64(len(d.v.names) - 1)
		}},
		{"SELECT id, 0, key, NULL FROM attr_keys ORDER BY id", func(_, _ uint64, text string, _ []byte) uint64 {
			d.v.keys = append(d.v.keys, text)
			d.keys[text] = uint64(len(d.v.keys) - 1)
			return uint64(len(d.v.keys) - 1)
		}},
		{"SELECT id, service_id, '', data FROM resources ORDER BY id", func(_, ref uint64, _ string, data []byte) uint64 {
			d.v.resources = append(d.v.resources, resourceEntry{ref, data})
			d.resources[string(data)] = uint64(len(d.v.resources) - 1)
			return uint64(len(d.v.resources) - 1)
		}},
		{"SELECT id, 0, '', data FROM scopes ORDER BY id", func(_, _ uint64, _ string, data []byte) uint64 {
			d.v.scopes = append(d.v.scopes, data)
			d.scopes[string(data)] = uint64(len(d.v.scopes) - 1)
			return uint64(len(d.v.scopes) - 1)
		}},
	}
	for _, t := range tables {
		if err := loadTable(ctx, db, t.query, t.add); err != nil {
			return err
		}
	}
	return nil
}

func loadTable(ctx context.Context, db *sql.DB, query string, add func(uint64, uint64, string, []byte) uint64) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("store: load dictionary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ref uint64
		var text string
		var data []byte
		if err := rows.Scan(&id, &ref, &text, &data); err != nil {
			return fmt.Errorf("store: load dictionary: %w", err)
		}
		if got := add(id, ref, text, data); got != id {
			return fmt.Errorf("store: load dictionary: %s: id %d where %d was expected (ids must be dense)", query, id, got)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load dictionary: %w", err)
	}
	return nil
}
