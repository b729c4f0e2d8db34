package admin

import (
	"net/http"
	"strings"
	"testing"
)

var topicNames = []string{"user", "kernel", "all", "none"}

// Every bad request gets a 4xx with the JSON error naming what is wrong,
// and the running configuration is left as it was.
func TestBadInput(t *testing.T) {
	f := serve(t, WithMaxBody(256))
	before := snap(f.comp)
	cur := "memory " + f.mem
	json := map[string]string{}
	tests := []struct {
		name, method, path, body string
		hdr                      map[string]string
		want                     Error
	}{
		{"unknown component", "PUT", PathPrefix + "/nope/topics", `{"topics":["user"]}`, json,
			Error{StatusCode: 404, Message: `unknown component "nope"`, Field: "component", Value: "nope", Allowed: []string{"motor"}}},
		{"unknown topic", "PUT", motor + "/topics", `{"topics":["user","gpu"]}`, json,
			Error{StatusCode: 400, Message: `topics[1]: unknown topic "gpu"`, Field: "topics[1]", Value: "gpu", Allowed: topicNames}},
		{"none mixed", "PUT", motor + "/topics", `{"topics":["none","user"]}`, json,
			Error{StatusCode: 400, Message: "topic none mixed with other topics", Field: "topics", Value: "none,user", Allowed: topicNames}},
		{"empty topics", "PUT", motor + "/topics", `{"topics":[]}`, json,
			Error{StatusCode: 400, Message: "empty topic list", Field: "topics", Allowed: topicNames}},
		{"missing topics", "PUT", motor + "/topics", `{}`, json,
			Error{StatusCode: 400, Message: "topics: missing", Field: "topics", Allowed: topicNames}},
		{"null body", "PUT", motor + "/topics", `null`, json,
			Error{StatusCode: 400, Message: "topics: missing", Field: "topics", Allowed: topicNames}},
		{"topics not an array", "PUT", motor + "/topics", `{"topics":"user"}`, json,
			Error{StatusCode: 400, Message: "topics: want an array, got string", Field: "topics"}},
		{"topic not a string", "PUT", motor + "/topics", `{"topics":["user",7]}`, json,
			Error{StatusCode: 400, Message: "topics: want a string, got number", Field: "topics"}},
		{"enabled not a boolean", "PUT", motor + "/tracing", `{"enabled":"yes"}`, json,
			Error{StatusCode: 400, Message: "enabled: want true or false, got string", Field: "enabled"}},
		{"enabled missing", "PUT", motor + "/logging", `{}`, json,
			Error{StatusCode: 400, Message: "enabled: missing", Field: "enabled", Allowed: []string{"true", "false"}}},
		{"unknown field", "PUT", motor + "/tracing", `{"enabled":true,"force":true}`, json,
			Error{StatusCode: 400, Message: `unknown field "force"`, Field: "force", Allowed: []string{"enabled"}}},
		{"body is an array", "PUT", motor + "/topics", `["user"]`, json,
			Error{StatusCode: 400, Message: "want a JSON object, got array"}},
		{"trailing object", "PUT", motor + "/topics", `{"topics":["kernel"]}{}`, json,
			Error{StatusCode: 400, Message: "unexpected data after the JSON object"}},
		{"trailing garbage", "PUT", motor + "/tracing", `{"enabled":false} x`, json,
			Error{StatusCode: 400, Message: "unexpected data after the JSON object"}},
		{"truncated", "PUT", motor + "/topics", `{"topics":["kernel"`, json,
			Error{StatusCode: 400, Message: "malformed JSON"}},
		{"syntax error", "PUT", motor + "/topics", `{"topics":[kernel]}`, json,
			Error{StatusCode: 400, Message: "malformed JSON at byte"}},
		{"empty body", "PUT", motor + "/topics", ``, json,
			Error{StatusCode: 400, Message: `request body is empty; want a JSON object like {"topics":["user","kernel"]}`}},
		{"blank body", "PUT", motor + "/sampler", " \n\t", json,
			Error{StatusCode: 400, Message: "request body is empty"}},
		{"text content type", "PUT", motor + "/topics", `{"topics":["kernel"]}`, map[string]string{"Content-Type": "text/plain"},
			Error{StatusCode: 415, Message: `Content-Type "text/plain" is not JSON`, Field: "Content-Type", Value: "text/plain"}},
		{"form content type", "POST", motor + "/tracing/endpoints", `{"exporter":"console"}`,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			Error{StatusCode: 415, Message: "is not JSON", Field: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		{"latin1 charset", "PUT", motor + "/topics", `{"topics":["kernel"]}`, map[string]string{"Content-Type": "application/json; charset=latin1"},
			Error{StatusCode: 415, Message: "is not JSON", Field: "Content-Type", Value: "application/json; charset=latin1"}},
		{"oversize body", "PUT", motor + "/topics", `{"topics":["kernel"` + strings.Repeat(`,"kernel"`, 40) + `]}`, json,
			Error{StatusCode: 413, Message: "request body is larger than 256 bytes"}},
		{"unknown exporter", "POST", motor + "/tracing/endpoints", `{"exporter":"zipkin","url":"http://h:9411"}`, json,
			Error{StatusCode: 400, Message: `exporter: unknown exporter "zipkin"`, Field: "exporter", Value: "zipkin",
				Allowed: []string{"console", "file", "http", "grpc", "memory", "none"}}},
		{"missing exporter", "POST", motor + "/logging/endpoints", `{"url":"http://h:4318"}`, json,
			Error{StatusCode: 400, Message: `unknown exporter ""`, Field: "exporter"}},
		{"url scheme", "POST", motor + "/tracing/endpoints", `{"exporter":"http","url":"ftp://h:21"}`, json,
			Error{StatusCode: 400, Message: `url: URL "ftp://h:21" has scheme "ftp"`, Field: "url", Value: "ftp://h:21",
				Allowed: []string{"a URL with scheme http, https and a host, e.g. http://127.0.0.1:4318"}}},
		{"grpc without port", "DELETE", motor + "/tracing/endpoints", `{"exporter":"grpc","url":"grpc://collector"}`, json,
			Error{StatusCode: 400, Message: "has no port", Field: "url", Value: "grpc://collector"}},
		{"console stream", "PUT", motor + "/logging/endpoints", `{"endpoints":[{"exporter":"console","url":"stdout"},{"exporter":"console","url":"tty"}]}`, json,
			Error{StatusCode: 400, Message: `endpoints[1].url: console endpoint "tty" is not a stream`, Field: "endpoints[1].url", Value: "tty",
				Allowed: []string{"stdout", "stderr", "cout", "cerr"}}},
		{"endpoint exporter type", "PUT", motor + "/tracing/endpoints", `{"endpoints":[{"exporter":1}]}`, json,
			Error{StatusCode: 400, Message: "want a string, got number", Field: "endpoints.exporter"}},
		{"endpoints missing", "PUT", motor + "/tracing/endpoints", `{}`, json,
			Error{StatusCode: 400, Message: "endpoints: missing", Field: "endpoints"}},
		{"duplicate endpoints", "PUT", motor + "/tracing/endpoints", `{"endpoints":[{"exporter":"console"},{"exporter":"console","url":"cout"}]}`, json,
			Error{StatusCode: 400, Message: "endpoints: endpoint console stdout is already configured", Field: "endpoints",
				Value: "console, console cout", Allowed: []string{"each endpoint once"}}},
		{"none mixed endpoints", "PUT", motor + "/tracing/endpoints", `{"endpoints":[{"exporter":"none"},{"exporter":"console"}]}`, json,
			Error{StatusCode: 400, Message: "exporter none mixed with other exporters", Field: "endpoints", Value: "none, console"}},
		{"add endpoint twice", "POST", motor + "/tracing/endpoints", `{"exporter":"memory","url":"` + f.mem + `"}`, json,
			Error{StatusCode: 400, Message: "is already configured", Value: cur}},
		{"remove endpoint not there", "DELETE", motor + "/logging/endpoints", `{"exporter":"console","url":"stderr"}`, json,
			Error{StatusCode: 400, Message: "endpoint console stderr is not configured", Value: "console stderr", Allowed: []string{cur}}},
		{"ratio too big", "PUT", motor + "/sampler", `{"ratio":1.5}`, json,
			Error{StatusCode: 400, Message: "ratio: ratio 1.5 is outside [0,1]", Field: "ratio", Value: "1.5",
				Allowed: []string{"a number from 0 to 1"}}},
		{"ratio negative", "PUT", motor + "/sampler", `{"name":"traceidratio","ratio":-0.1}`, json,
			Error{StatusCode: 400, Message: "outside [0,1]", Field: "ratio", Value: "-0.1"}},
		{"ratio of always_on out of range", "PUT", motor + "/sampler", `{"name":"always_on","ratio":2}`, json,
			Error{StatusCode: 400, Message: "outside [0,1]", Field: "ratio", Value: "2"}},
		{"ratio a string", "PUT", motor + "/sampler", `{"ratio":"0.5"}`, json,
			Error{StatusCode: 400, Message: "ratio: want a number, got string", Field: "ratio"}},
		{"unknown sampler", "PUT", motor + "/sampler", `{"name":"sometimes"}`, json,
			Error{StatusCode: 400, Message: `name: unknown sampler "sometimes"`, Field: "name", Value: "sometimes",
				Allowed: []string{"always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"}}},
		{"sampler with ratio in name", "PUT", motor + "/sampler", `{"name":"traceidratio:0.5"}`, json,
			Error{StatusCode: 400, Message: "unknown sampler", Field: "name", Value: "traceidratio:0.5"}},
		{"sampler empty object", "PUT", motor + "/sampler", `{}`, json,
			Error{StatusCode: 400, Message: `give "name", "ratio" or both`, Field: "name"}},
		{"persist not a boolean", "PUT", motor + "/topics?persist=maybe", `{"topics":["kernel"]}`, json,
			Error{StatusCode: 400, Message: `persist: "maybe" is not a boolean`, Field: "persist", Value: "maybe", Allowed: []string{"1", "true", "0", "false"}}},
		{"persist without a store", "PUT", motor + "/topics?persist=1", `{"topics":["kernel"]}`, json,
			Error{StatusCode: 400, Message: "persist asked but this server has no property store", Field: "persist", Value: "1"}},
		{"persist true without a store", "POST", motor + "/stop?persist=true", ``, json,
			Error{StatusCode: 400, Message: "persist asked but this server has no property store", Field: "persist", Value: "true"}},
		{"wrong method", "PATCH", motor + "/topics", `{"topics":["kernel"]}`, json,
			Error{StatusCode: 405, Message: "method PATCH is not allowed", Field: "method", Value: "PATCH", Allowed: []string{"GET", "PUT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.body, tt.hdr)
			checkError(t, r.status, errorBody(t, r), tt.want)
			before.unchanged(t, f.comp)
		})
	}
}

// JSON with or without a charset, and a body without Content-Type, are
// accepted.
func TestContentTypesAccepted(t *testing.T) {
	f := serve(t)
	for _, ct := range []string{"", "application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		t.Run(ct, func(t *testing.T) {
			r := f.do(t, http.MethodPut, motor+"/tracing", `{"enabled":false}`, map[string]string{"Content-Type": ct})
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
		})
	}
}
