package plan

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/device"
)

// bundle is the readings between create and save: one event.
type bundle struct {
	name string
	devs []device.Readable
	keys [][]string // keys read from devs[i]
	data map[string]device.Reading
}

// descriptor is an emitted descriptor document: one per stream name and
// key set in a run.
type descriptor struct {
	uid string
	seq int
}

// add puts a device's readings in the bundle.
func (b *bundle) add(d device.Readable, readings map[string]device.Reading) error {
	for _, o := range b.devs {
		if o.Name() == d.Name() {
			return fmt.Errorf("%s read twice in one event of stream %s", d.Name(), b.name)
		}
	}
	keys := make([]string, 0, len(readings))
	for k, v := range readings {
		if _, dup := b.data[k]; dup {
			return fmt.Errorf("key %s read twice in one event of stream %s", k, b.name)
		}
		b.data[k] = v
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.devs = append(b.devs, d)
	b.keys = append(b.keys, keys)
	return nil
}

func (r *runner) create(m *Msg) {
	if r.run == nil {
		r.fault(m, errors.New("create: no run is open"))
		return
	}
	if b := r.run.bundle; b != nil {
		r.fault(m, fmt.Errorf("create: the event of stream %s is not saved yet", b.name))
		return
	}
	name, _ := m.Kwargs["name"].(string)
	if name == "" {
		name = "primary"
	}
	r.run.bundle = &bundle{name: name, data: make(map[string]device.Reading, 4)}
}

func (r *runner) drop(m *Msg) {
	if r.run == nil || r.run.bundle == nil {
		r.fault(m, errors.New("drop: no event is open (create first)"))
		return
	}
	r.run.bundle = nil
}

// save emits the bundle's event, after a descriptor when its stream name
// and key set are new in the run:
//
//	descriptor{uid, run_start, name, data_keys, object_keys, time}
//	event{uid, descriptor, seq_num, time, data, timestamps}
func (r *runner) save(pctx context.Context, m *Msg) {
	if r.run == nil || r.run.bundle == nil {
		r.fault(m, errors.New("save: no event is open (create first)"))
		return
	}
	b := r.run.bundle
	r.run.bundle = nil
	keys := make([]string, 0, len(b.data))
	for k := range b.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	desc, err := r.descriptorFor(b.name, keys, func() (map[string]any, map[string]any, error) {
		return r.bundleKeys(pctx, b)
	})
	if err != nil {
		r.fault(m, fmt.Errorf("save: %w", err))
		return
	}
	now := r.re.now()
	data := make(map[string]any, len(b.data))
	ts := make(map[string]any, len(b.data))
	for k, rd := range b.data {
		data[k] = rd.Value
		ts[k] = stamp(rd.Timestamp, now)
	}
	ev, err := r.event(b.name, desc, now, data, ts)
	m.Result = ev
	if err != nil {
		r.fault(m, err)
	}
}

// event emits one event of a stream.
func (r *runner) event(stream string, desc *descriptor, t time.Time, data, ts map[string]any) (Document, error) {
	desc.seq++
	r.run.events[stream]++
	ev := Document{"uid": r.re.newUID(), "descriptor": desc.uid, "seq_num": desc.seq,
		"time": unixSeconds(t), "data": data, "timestamps": ts}
	return ev, r.emit("event", ev)
}

// descriptorFor returns the run's descriptor of stream name with keys,
// emitting it first when it is new; build makes its data_keys and
// object_keys.
func (r *runner) descriptorFor(name string, keys []string, build func() (map[string]any, map[string]any, error)) (*descriptor, error) {
	id := name + "\x00" + strings.Join(keys, "\x00")
	if d, ok := r.run.streams[id]; ok {
		return d, nil
	}
	dataKeys, objectKeys, err := build()
	if err != nil {
		return nil, err
	}
	d := &descriptor{uid: r.re.newUID()}
	doc := Document{"uid": d.uid, "run_start": r.run.uid, "name": name, "data_keys": dataKeys,
		"object_keys": objectKeys, "time": unixSeconds(r.re.now())}
	if err := r.emit("descriptor", doc); err != nil {
		return nil, err
	}
	r.run.streams[id] = d
	return d, nil
}

// bundleKeys describes the devices of a bundle (Describe is asked once per
// device and run).
func (r *runner) bundleKeys(ctx context.Context, b *bundle) (map[string]any, map[string]any, error) {
	dataKeys := make(map[string]any, len(b.data))
	objectKeys := make(map[string]any, len(b.devs))
	for i, d := range b.devs {
		desc, ok := r.run.describe[d.Name()]
		if !ok {
			var err error
			if desc, err = d.Describe(ctx); err != nil {
				return nil, nil, fmt.Errorf("describe %s: %w", d.Name(), err)
			}
			r.run.describe[d.Name()] = desc
		}
		for _, k := range b.keys[i] {
			dataKeys[k] = dataKeyDoc(desc, k, d.Name(), b.data[k].Value)
		}
		objectKeys[d.Name()] = b.keys[i]
	}
	return dataKeys, objectKeys, nil
}

// collect collects a flyer's data as events of the stream named after it
// (or Kwargs["name"]).
func (r *runner) collect(pctx context.Context, m *Msg) {
	ctx, span := r.command(pctx, m)
	_, err := guard(func() (struct{}, error) { return struct{}{}, r.collectEvents(ctx, m) })
	if err != nil {
		err = fmt.Errorf("collect %s: %w", objName(m.Obj), err)
		endSpan(span, err)
		r.fault(m, err)
		return
	}
	span.End()
}

func (r *runner) collectEvents(ctx context.Context, m *Msg) error {
	f, ok := m.Obj.(device.Flyer)
	if !ok {
		return errors.New("not a device.Flyer")
	}
	if r.run == nil {
		return errors.New("no run is open")
	}
	name, _ := m.Kwargs["name"].(string)
	if name == "" {
		name = f.Name()
	}
	desc, err := f.DescribeCollect(ctx)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	collected, err := f.Collect(ctx)
	m.Result = collected
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(desc))
	for k := range desc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	d, err := r.descriptorFor(name, keys, func() (map[string]any, map[string]any, error) {
		dk := make(map[string]any, len(keys))
		for _, k := range keys {
			dk[k] = dataKeyDoc(desc, k, f.Name(), nil)
		}
		return dk, map[string]any{f.Name(): keys}, nil
	})
	if err != nil {
		return err
	}
	now := r.re.now()
	for _, c := range collected {
		ts := make(map[string]any, len(c.Timestamps))
		for k, t := range c.Timestamps {
			ts[k] = stamp(t, now)
		}
		if _, err := r.event(name, d, orNow(c.Time, now), c.Data, ts); err != nil {
			return err
		}
	}
	return nil
}

// dataKeyDoc is a data_keys entry: Describe's, or inferred from the value.
func dataKeyDoc(desc map[string]device.DataKey, key, obj string, v any) map[string]any {
	dk, ok := desc[key]
	if !ok {
		dk = device.DataKey{Source: obj, DType: dtypeOf(v)}
	}
	shape := dk.Shape
	if shape == nil {
		shape = []int{}
	}
	doc := map[string]any{"source": dk.Source, "dtype": dk.DType, "shape": shape, "object_name": obj}
	if dk.Units != "" {
		doc["units"] = dk.Units
	}
	return doc
}

func dtypeOf(v any) string {
	switch v.(type) {
	case float64, float32:
		return "number"
	case int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8:
		return "integer"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	if v != nil {
		if k := reflect.TypeOf(v).Kind(); k == reflect.Slice || k == reflect.Array {
			return "array"
		}
	}
	return "number"
}

func stamp(t, now time.Time) float64 { return unixSeconds(orNow(t, now)) }

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}
