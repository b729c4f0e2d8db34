package admin

import "github.com/sightline-dev/sightline/telemetry"

// The JSON bodies of the admin API (docs/admin-api.md). Requests use
// pointers where a missing field must be told from a zero one.

type componentsBody struct {
	Components []string `json:"components"`
}

type enabledRequest struct {
	Enabled *bool `json:"enabled"`
}

type enabledResponse struct {
	Enabled bool `json:"enabled"`
	// Problem is set when the change was applied with a problem: Start
	// turned telemetry on but an endpoint's exporter could not be built.
	Problem string `json:"problem,omitempty"`
}

type topicsBody struct {
	Topics []string `json:"topics"`
}

type endpointsBody struct {
	Endpoints []telemetry.Endpoint `json:"endpoints"`
}

type endpointBody = telemetry.Endpoint

type samplerRequest struct {
	Name  *string  `json:"name"`
	Ratio *float64 `json:"ratio"`
}

type samplerBody = telemetry.Sampler
