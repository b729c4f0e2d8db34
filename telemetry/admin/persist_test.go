package admin

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

// fakePersister records SetProperties calls and fails when err is set.
type fakePersister struct {
	mu    sync.Mutex
	calls []persistCall
	err   error
}

type persistCall struct {
	component string
	props     map[string][]string
}

func (p *fakePersister) SetProperties(_ context.Context, component string, props map[string][]string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, persistCall{component, maps.Clone(props)})
	return p.err
}

func (p *fakePersister) took() []persistCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// ?persist=1 on every mutating route calls the persister once, after the
// change, with exactly telemetry.PropertiesFor(new config, key).
func TestPersist(t *testing.T) {
	tests := []struct {
		method, path, body, key string
	}{
		{"POST", "/stop?persist=1", "", telemetry.KeyEnable},
		{"POST", "/start?persist=true", "", telemetry.KeyEnable},
		{"PUT", "/topics?persist=1", `{"topics":["user","kernel"]}`, telemetry.KeyTopics},
		{"PUT", "/tracing?persist=TRUE", `{"enabled":false}`, telemetry.KeyTypes},
		{"PUT", "/logging?persist=1", `{"enabled":false}`, telemetry.KeyTypes},
		{"PUT", "/tracing/endpoints?persist=1", `{"endpoints":[{"exporter":"console","url":"stderr"}]}`, telemetry.KeyTracingEndpoints},
		{"POST", "/tracing/endpoints?persist=1", `{"exporter":"http","url":"http://127.0.0.1:4318"}`, telemetry.KeyTracingEndpoints},
		{"DELETE", "/tracing/endpoints?persist=1", `{"exporter":"memory","url":"MEM"}`, telemetry.KeyTracingEndpoints},
		{"PUT", "/logging/endpoints?persist=1", `{"endpoints":[]}`, telemetry.KeyLoggingEndpoints},
		{"POST", "/logging/endpoints?persist=1", `{"exporter":"memory","url":"other"}`, telemetry.KeyLoggingEndpoints},
		{"DELETE", "/logging/endpoints?persist=1", `{"exporter":"memory","url":"MEM"}`, telemetry.KeyLoggingEndpoints},
		{"PUT", "/sampler?persist=1", `{"ratio":0.2}`, telemetry.KeySampler},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			p := &fakePersister{}
			f := serve(t, WithPersister(p))
			r := f.do(t, tt.method, motor+tt.path, strings.ReplaceAll(tt.body, "MEM", f.mem), nil)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			cfg, _ := f.comp.Control().Config()
			want := []persistCall{{"motor", telemetry.PropertiesFor(cfg, tt.key)}}
			if got := p.took(); !reflect.DeepEqual(got, want) {
				t.Errorf("persisted %v, want %v", got, want)
			}
		})
	}
}

func TestPersistThroughClient(t *testing.T) {
	p := &fakePersister{}
	f := serve(t, WithPersister(p))
	ctx := context.Background()
	if err := f.client.SetTopics(ctx, "motor", []string{"kernel"}); err != nil {
		t.Fatal(err)
	}
	if err := f.do(t, http.MethodPut, motor+"/tracing?persist=0", `{"enabled":true}`, nil); err.status != 200 {
		t.Fatalf("persist=0: %d", err.status)
	}
	if got := p.took(); len(got) != 0 {
		t.Fatalf("persisted without being asked: %v", got)
	}
	if err := f.client.SetTopics(ctx, "motor", []string{"kernel"}, Persist()); err != nil {
		t.Fatal(err)
	}
	want := []persistCall{{"motor", map[string][]string{telemetry.PropTopics: {"kernel"}}}}
	if got := p.took(); !reflect.DeepEqual(got, want) {
		t.Errorf("persisted %v, want %v", got, want)
	}
	// A refused change is not persisted.
	if err := f.client.SetTopics(ctx, "motor", []string{"gpu"}, Persist()); err == nil {
		t.Fatal("bad topic accepted")
	}
	if got := p.took(); len(got) != 1 {
		t.Errorf("refused change persisted: %v", got)
	}
}

// A change applied but not persisted is a 500 that says so; the change
// stays.
func TestPersistFails(t *testing.T) {
	p := &fakePersister{err: errors.New("database is locked")}
	f := serve(t, WithPersister(p))
	e := asError(t, f.client.SetTopics(context.Background(), "motor", []string{"kernel"}, Persist()))
	checkError(t, e.StatusCode, *e, Error{StatusCode: 500,
		Message: "the change was applied but persisting it failed: database is locked", Field: "persist"})
	if got := f.comp.Control().Topics(); got != (telemetry.Topics{Kernel: true}) {
		t.Errorf("topics = %v", got)
	}
}

// An endpoint with a comma could not be read back from a comma list
// (properties, environment): telemetry refuses it, naming the field.
func TestEndpointWithCommaRefused(t *testing.T) {
	p := &fakePersister{}
	f := serve(t, WithPersister(p))
	before := snap(f.comp)
	path := t.TempDir() + "/a,b.jsonl"
	body := `{"endpoints":[{"exporter":"console"},{"exporter":"file","url":"` + path + `"}]}`
	r := f.do(t, http.MethodPut, motor+"/tracing/endpoints?persist=1", body, nil)
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 400, Message: "contains a comma",
		Field: "endpoints[1].url", Value: path})
	r = f.do(t, http.MethodPost, motor+"/logging/endpoints", `{"exporter":"file","url":"`+path+`"}`, nil)
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 400, Message: "contains a comma", Field: "url", Value: path})
	before.unchanged(t, f.comp)
	if got := p.took(); len(got) != 0 {
		t.Errorf("persisted %v", got)
	}
}
