package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

func TestNewHandlerOptions(t *testing.T) {
	a, _ := testComponent(t, "a", nil)
	a2, _ := testComponent(t, "a", nil)
	tests := []struct {
		name string
		opts []Option
		err  string
	}{
		{"duplicate", []Option{WithComponents(a, a2)}, `component "a" is already served`},
		{"nil component", []Option{WithComponents(nil)}, "nil component"},
		{"zero max body", []Option{WithMaxBody(0)}, "max body 0 is not positive"},
		{"nil option", []Option{nil, WithComponents(a)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHandler(append([]Option{noEnv}, tt.opts...)...)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("NewHandler = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestAddRemove(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	b, _ := testComponent(t, "b", nil)
	if err := f.h.Add(b); err != nil {
		t.Fatal(err)
	}
	if err := f.h.Add(b); err == nil || !strings.Contains(err.Error(), `"b" is already served`) {
		t.Errorf("second Add = %v", err)
	}
	if names, err := f.client.Components(ctx); err != nil || strings.Join(names, ",") != "b,motor" {
		t.Errorf("Components = %q, %v", names, err)
	}
	if err := f.client.Disable(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	f.h.Remove("b")
	f.h.Remove("never-there")
	e := asError(t, f.client.Enable(ctx, "b"))
	if e.StatusCode != http.StatusNotFound || strings.Join(e.Allowed, ",") != "motor" {
		t.Errorf("after Remove: %d %v", e.StatusCode, e)
	}
	if b.Control().Enabled() {
		t.Error("Enable reached a removed component")
	}
	f.h.Remove("motor")
	if names, err := f.client.Components(ctx); err != nil || names == nil || len(names) != 0 {
		t.Errorf("Components of an empty handler = %#v, %v", names, err)
	}
	r := f.do(t, http.MethodGet, PathPrefix, "", nil)
	jsonEqual(t, r.body, `{"components":[]}`)
	if err := f.h.Add(b); err != nil {
		t.Errorf("Add after Remove: %v", err)
	}
}

// A device server adds and removes devices while requests run.
func TestAddRemoveWhileServing(t *testing.T) {
	f := serve(t)
	ctx := context.Background()
	const devices, rounds, workers = 4, 20, 4
	comps := make([]*telemetry.Component, devices)
	for i := range comps {
		comps[i], _ = testComponent(t, fmt.Sprintf("sim/dev/%d", i), nil)
	}

	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				// The fixed component always answers.
				if err := f.client.SetTopics(ctx, "motor", []string{"user"}); err != nil {
					errs <- err
				}
				// The churning ones answer or are unknown, nothing else.
				name := fmt.Sprintf("sim/dev/%d", (w+i)%devices)
				if _, err := f.client.Status(ctx, name); err != nil {
					if e, ok := err.(*Error); !ok || e.StatusCode != http.StatusNotFound {
						errs <- err
					}
				}
				if _, err := f.client.Components(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	// Each device is served for one round of the churn, then removed (and
	// added again devices rounds later), until the workers are done.
	stop := make(chan struct{})
	churned := make(chan int)
	go func() {
		i := 0
		for ; ; i++ {
			select {
			case <-stop:
				churned <- i
				return
			default:
			}
			if err := f.h.Add(comps[i%devices]); err != nil {
				t.Errorf("Add: %v", err)
			}
			if i > 0 {
				f.h.Remove(comps[(i-1)%devices].Name())
			}
		}
	}()
	wg.Wait()
	close(stop)
	if n := <-churned; n == 0 {
		t.Error("no churn")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
