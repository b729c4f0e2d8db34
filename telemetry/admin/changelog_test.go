package admin

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// changeRecords returns the attributes of the "telemetry admin change"
// records a memory endpoint received.
func changeRecords(mem string) []map[string]string {
	var out []map[string]string
	for _, r := range sightlinetest.MemoryEndpoint(mem).Logs() {
		if r.Body().AsString() != "telemetry admin change" {
			continue
		}
		attrs := map[string]string{}
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			attrs[string(kv.Key)] = kv.Value.String()
			return true
		})
		out = append(out, attrs)
	}
	return out
}

// Every accepted change is a log record of the component, with the remote
// address and the setting before and after; refused ones are not.
func TestChangeIsLogged(t *testing.T) {
	p := &fakePersister{}
	f := serve(t, WithPersister(p))
	ctx := context.Background()
	if err := f.client.SetTopics(ctx, "motor", []string{"user", "kernel"}); err != nil {
		t.Fatal(err)
	}
	if err := f.client.SetSampler(ctx, "motor", telemetry.RatioSampler(0.5), Persist()); err != nil {
		t.Fatal(err)
	}
	if err := f.client.SetTopics(ctx, "motor", []string{"gpu"}); err == nil {
		t.Fatal("bad topic accepted")
	}
	if err := f.client.SetSampler(ctx, "motor", telemetry.Sampler{Ratio: 2}, Persist()); err == nil {
		t.Fatal("bad ratio accepted")
	}

	recs := changeRecords(f.mem)
	if len(recs) != 2 {
		t.Fatalf("got %d change records, want 2: %v", len(recs), recs)
	}
	want := []map[string]string{
		{"component": "motor", "setting": "topics", "before": "user", "after": "user,kernel", "persisted": "false"},
		{"component": "motor", "setting": "sampler", "before": "parentbased_always_on",
			"after": "parentbased_traceidratio:0.5", "persisted": "true"},
	}
	for i, w := range want {
		for k, v := range w {
			if recs[i][k] != v {
				t.Errorf("record %d: %s = %q, want %q", i, k, recs[i][k], v)
			}
		}
		if !strings.HasPrefix(recs[i]["remote"], "127.0.0.1:") {
			t.Errorf("record %d: remote = %q", i, recs[i]["remote"])
		}
	}
}
