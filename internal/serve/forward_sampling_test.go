package serve_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/sampling"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// TestForwardSampling: serve --forward with sampling policies says so at
// start, forwards only the traces kept (here those with an error) and
// shows the policies' counters at /api/stats; without --forward the
// policies are refused.
func TestForwardSampling(t *testing.T) {
	noLeaks(t)
	sc, err := sampling.Parse([]byte(`{"decision_wait": "200ms", "policies": [
		{"name": "errors", "type": "error"}, {"name": "none", "type": "probabilistic", "percentage": 0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	up := servetest.Start(t, servetest.Config(t))
	acfg := servetest.Config(t)
	acfg.ForwardURL, acfg.Sampling = "http://"+up.HTTP, &sc
	agent := servetest.Start(t, acfg)
	if lines := servetest.Lines(agent.Out, "sightline serve: sampling"); len(lines) != 1 ||
		lines[0] != "sightline serve: sampling: 2 policies, decision wait 200ms" {
		t.Errorf("start lines %q", lines)
	}
	for n := range 10 {
		td := fwdTraces(n, 3, 0)
		if n%5 == 0 {
			td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1).Status().SetCode(ptrace.StatusCodeError)
		}
		mustPost(t, agent.HTTP, td)
	}
	poll.Until(t, 20*time.Second, "10 traces decided", func() bool {
		st, _ := getStats(t, agent.UI)
		s := st.Forward.Sampling
		return s != nil && s.KeptTraces+s.DroppedTraces == 10 && st.Forward.QueueRecords == 0
	})
	poll.Until(t, 10*time.Second, "the 6 spans kept upstream", func() bool {
		st, _ := getStats(t, up.UI)
		return st.Store.Spans == 6
	})
	st, _ := getStats(t, agent.UI)
	s := st.Forward.Sampling
	if s.KeptTraces != 2 || s.KeptSpans != 6 || s.DroppedSpans != 24 || len(s.Policies) != 3 ||
		s.Policies[0].KeptTraces != 2 || s.Policies[1].DroppedTraces != 8 {
		t.Errorf("sampling stats: %+v", *s)
	}

	bad := servetest.Config(t)
	bad.Sampling = &sc
	if err := bad.Validate(); err == nil {
		t.Error("sampling without --forward passed Validate")
	}
}
