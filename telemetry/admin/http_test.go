package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

const motor = PathPrefix + "/motor"

// Every route over raw HTTP: status code and JSON shape. Each row gets a
// fresh component, so the rows do not depend on each other.
func TestRawRoutes(t *testing.T) {
	tests := []struct {
		method, path, body string
		want               string // the JSON body; "" for the status route (checked apart)
		state              func(*telemetry.Control) bool
	}{
		{"GET", PathPrefix, "", `{"components":["motor"]}`, nil},
		{"GET", motor + "/status", "", "", nil},
		{"POST", motor + "/stop", "", `{"enabled":false}`, func(c *telemetry.Control) bool { return !c.Enabled() }},
		{"POST", motor + "/start", "", `{"enabled":true}`, (*telemetry.Control).Enabled},
		{"GET", motor + "/topics", "", `{"topics":["user"]}`, nil},
		{"PUT", motor + "/topics", `{"topics":["all"]}`, `{"topics":["user","kernel"]}`,
			func(c *telemetry.Control) bool { return c.Topics().Kernel }},
		{"PUT", motor + "/topics", `{"topics":["kernel"]}`, `{"topics":["kernel"]}`,
			func(c *telemetry.Control) bool { return !c.Topics().User }},
		{"GET", motor + "/tracing", "", `{"enabled":true}`, nil},
		{"PUT", motor + "/tracing", `{"enabled":false}`, `{"enabled":false}`,
			func(c *telemetry.Control) bool { return !c.Tracing() && c.Logging() }},
		{"GET", motor + "/logging", "", `{"enabled":true}`, nil},
		{"PUT", motor + "/logging", `{"enabled":false}`, `{"enabled":false}`,
			func(c *telemetry.Control) bool { return !c.Logging() && c.Tracing() }},
		{"GET", motor + "/tracing/endpoints", "", `{"endpoints":[{"exporter":"memory","url":"MEM"}]}`, nil},
		{"PUT", motor + "/tracing/endpoints", `{"endpoints":[{"exporter":"console","url":"cerr"}]}`,
			`{"endpoints":[{"exporter":"console","url":"stderr"}]}`, nil},
		{"PUT", motor + "/tracing/endpoints", `{"endpoints":[]}`, `{"endpoints":[{"exporter":"none","url":""}]}`, nil},
		{"POST", motor + "/tracing/endpoints", `{"exporter":"http","url":"https://collector.example:4318"}`,
			`{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"http","url":"https://collector.example:4318/v1/traces"}]}`, nil},
		{"DELETE", motor + "/tracing/endpoints", `{"exporter":"memory","url":"MEM"}`,
			`{"endpoints":[{"exporter":"none","url":""}]}`, nil},
		{"GET", motor + "/logging/endpoints", "", `{"endpoints":[{"exporter":"memory","url":"MEM"}]}`, nil},
		{"PUT", motor + "/tracing/endpoints", `{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"http"}]}`,
			`{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"http","url":"http://127.0.0.1:4318/v1/traces"}]}`, nil},
		{"POST", motor + "/tracing/endpoints", `{"exporter":"grpc","url":"grpc://127.0.0.1:4317"}`,
			`{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"grpc","url":"grpc://127.0.0.1:4317"}]}`, nil},
		{"PUT", motor + "/logging/endpoints", `{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"file","url":"file://DIR/logs.jsonl"}]}`,
			`{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"file","url":"DIR/logs.jsonl"}]}`, nil},
		{"POST", motor + "/logging/endpoints", `{"exporter":"file","url":"DIR/logs-{pid}.jsonl"}`,
			`{"endpoints":[{"exporter":"memory","url":"MEM"},{"exporter":"file","url":"DIR/logs-{pid}.jsonl"}]}`, nil},
		{"DELETE", motor + "/logging/endpoints", `{"exporter":"memory","url":"MEM"}`,
			`{"endpoints":[{"exporter":"none","url":""}]}`, nil},
		{"GET", motor + "/sampler", "", `{"name":"parentbased_always_on","ratio":1}`, nil},
		{"PUT", motor + "/sampler", `{"name":"parentbased_traceidratio","ratio":0.1}`,
			`{"name":"parentbased_traceidratio","ratio":0.1}`, nil},
		{"PUT", motor + "/sampler", `{"ratio":0.3}`, `{"name":"parentbased_traceidratio","ratio":0.3}`, nil},
		{"PUT", motor + "/sampler", `{"name":"ALWAYS_ON"}`, `{"name":"always_on","ratio":1}`, nil},
		{"PUT", motor + "/sampler", `{"name":"always_off","ratio":0}`, `{"name":"always_off","ratio":1}`, nil},
		{"PUT", motor + "/sampler", `{"name":"traceidratio"}`, `{"name":"traceidratio","ratio":1}`, nil},
	}
	parent := t.TempDir() // subtest names hold commas, which endpoints may not
	for i, tt := range tests {
		t.Run(tt.method+" "+strings.TrimPrefix(tt.path, PathPrefix)+" "+tt.body, func(t *testing.T) {
			f := serve(t, WithFileDirs(parent))
			dir := filepath.Join(parent, strconv.Itoa(i))
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			fill := strings.NewReplacer("MEM", f.mem, "DIR", dir).Replace
			r := f.do(t, tt.method, tt.path, fill(tt.body), nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tt.want == "" {
				var st telemetry.Status
				if err := json.Unmarshal(r.body, &st); err != nil || st.Component != "motor" || len(st.Settings) == 0 {
					t.Errorf("status body %s: %v", r.body, err)
				}
				return
			}
			jsonEqual(t, r.body, fill(tt.want))
			if tt.state != nil && !tt.state(f.comp.Control()) {
				t.Errorf("Control does not show the change")
			}
			// The GET of the same route shows what the change returned.
			if tt.method != http.MethodGet && !strings.HasSuffix(tt.path, "/start") && !strings.HasSuffix(tt.path, "/stop") {
				g := f.do(t, http.MethodGet, tt.path, "", nil)
				jsonEqual(t, g.body, string(r.body))
			}
		})
	}
}

func TestWrongRouteOrMethod(t *testing.T) {
	f := serve(t)
	before := snap(f.comp)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", PathPrefix, 405, "GET"},
		{"DELETE", motor + "/status", 405, "GET"},
		{"GET", motor + "/start", 405, "POST"},
		{"PUT", motor + "/stop", 405, "POST"},
		{"POST", motor + "/topics", 405, "GET, PUT"},
		{"PATCH", motor + "/tracing/endpoints", 405, "DELETE, GET, POST, PUT"},
		{"DELETE", motor + "/sampler", 405, "GET, PUT"},
		{"HEAD", motor + "/logging", 405, "GET, PUT"},
		{"GET", "/", 404, ""},
		{"GET", "/telemetry/v1", 404, ""},
		{"GET", PathPrefix + "/", 404, ""},
		{"GET", motor, 404, ""},
		{"GET", motor + "/statuses", 404, ""},
		{"GET", motor + "/status/", 404, ""},
		{"GET", motor + "/tracing/endpoints/0", 404, ""},
		{"GET", "/telemetry/v2/components", 404, ""},
		// An unescaped slash makes more segments: no route.
		{"GET", PathPrefix + "/sim/motor/1/status", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, "", nil)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if tt.method == http.MethodHead {
				return // no body
			}
			e := errorBody(t, r)
			if tt.status == 405 && (e.Field != "method" || e.Value != tt.method || strings.Join(e.Allowed, ", ") != tt.allow) {
				t.Errorf("405 body = %+v", e)
			}
		})
	}
	before.unchanged(t, f.comp)
}

// Component names may contain '/': clients escape them into one segment.
func TestComponentNameWithSlashes(t *testing.T) {
	const name = "sim/motor/1"
	comp, _ := testComponent(t, name, nil)
	f := serve(t, WithComponents(comp))
	ctx := context.Background()

	names, err := f.client.Components(ctx)
	if err != nil || strings.Join(names, " ") != "motor sim/motor/1" {
		t.Fatalf("Components = %q, %v", names, err)
	}
	if err := f.client.SetTopics(ctx, name, []string{"kernel"}); err != nil {
		t.Fatal(err)
	}
	if got := comp.Control().Topics(); got != (telemetry.Topics{Kernel: true}) {
		t.Errorf("topics of %s = %v", name, got)
	}
	if got := f.comp.Control().Topics(); got != (telemetry.Topics{User: true}) {
		t.Errorf("topics of motor changed to %v", got)
	}
	st, err := f.client.Status(ctx, name)
	if err != nil || st.Component != name {
		t.Fatalf("Status = %+v, %v", st.Component, err)
	}

	escaped := PathPrefix + "/" + url.PathEscape(name)
	if escaped != PathPrefix+"/sim%2Fmotor%2F1" {
		t.Fatalf("escaped path %s", escaped)
	}
	r := f.do(t, http.MethodGet, escaped+"/topics", "", nil)
	jsonEqual(t, r.body, `{"topics":["kernel"]}`)

	// An escaped name that is not served is a 404 naming the served ones.
	r = f.do(t, http.MethodGet, PathPrefix+"/sim%2Fmotor%2F2/status", "", nil)
	e := errorBody(t, r)
	checkError(t, r.status, e, Error{StatusCode: 404, Message: `unknown component "sim/motor/2"`,
		Field: "component", Value: "sim/motor/2", Allowed: []string{"motor", name}})
}

// A component shut down but still served answers GETs and refuses changes
// with 409.
func TestShutDownComponent(t *testing.T) {
	f := serve(t)
	if err := f.comp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.Status(context.Background(), "motor"); err != nil {
		t.Errorf("Status of a shut-down component: %v", err)
	}
	r := f.do(t, http.MethodPut, motor+"/topics", `{"topics":["kernel"]}`, nil)
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 409, Message: `component "motor" is shut down`,
		Field: "component", Value: "motor"})
	e := asError(t, f.client.Enable(context.Background(), "motor"))
	if e.StatusCode != 409 {
		t.Errorf("Enable: %d %v", e.StatusCode, e)
	}
}

// Enable with an endpoint whose exporter cannot be built turns telemetry on
// without it: 200, with the problem.
func TestEnableWithProblem(t *testing.T) {
	comp, _ := testComponent(t, "broken", map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "off",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": t.TempDir() + "/missing/dir/spans.jsonl",
	})
	f := serve(t, WithComponents(comp))
	r := f.do(t, http.MethodPost, PathPrefix+"/broken/start", "", nil)
	var body enabledResponse
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != 200 || !body.Enabled || body.Problem == "" {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if err := f.client.Disable(context.Background(), "broken"); err != nil {
		t.Fatal(err)
	}
	e := asError(t, f.client.Enable(context.Background(), "broken"))
	if e.StatusCode != 200 || !strings.Contains(e.Error(), "telemetry enabled, but") || !comp.Control().Enabled() {
		t.Errorf("Enable: %d %v", e.StatusCode, e)
	}
	// Status lists the endpoint as a problem, once.
	st, err := f.client.Status(context.Background(), "broken")
	if err != nil || len(st.Problems) != 1 || st.Problems[0].Setting != "endpoints" || !strings.Contains(st.Problems[0].Reason, "spans.jsonl") {
		t.Errorf("Status().Problems = %+v, %v; want the file endpoint once", st.Problems, err)
	}
}

// TestStatusServesProblems: the configuration problems Setup met are in
// the status JSON, named by variable, with the value, what is allowed and
// what is used instead.
func TestStatusServesProblems(t *testing.T) {
	comp, _ := testComponent(t, "bad", map[string]string{"SIGHTLINE_TELEMETRY_SAMPLER": "sometimes"})
	f := serve(t, WithComponents(comp))
	r := f.do(t, http.MethodGet, PathPrefix+"/bad/status", "", nil)
	var body struct {
		Problems []map[string]string `json:"problems"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != 200 {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	if len(body.Problems) != 1 || body.Problems[0]["setting"] != "SIGHTLINE_TELEMETRY_SAMPLER" ||
		body.Problems[0]["value"] != "sometimes" || body.Problems[0]["allowed"] == "" ||
		body.Problems[0]["using"] != "the default parentbased_always_on" {
		t.Errorf("problems = %v", body.Problems)
	}
	if r := f.do(t, http.MethodGet, motor+"/status", "", nil); !strings.Contains(string(r.body), `"problems":[]`) {
		t.Errorf("status of a good component: %s", r.body)
	}
}
