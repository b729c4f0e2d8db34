package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
)

// The operations on a component's on/off switch, topics and sampler; the
// per-signal ones are in signal.go.

func (h *Handler) getComponents(*call) (any, *Error) {
	names := h.names()
	if names == nil {
		names = []string{}
	}
	return componentsBody{Components: names}, nil
}

func getStatus(_ *Handler, c *call) (any, *Error) { return c.ctl.Status(), nil }

// postStart turns telemetry on (Control.Enable; the route keeps PyTango's
// name). Like Control.Enable, an endpoint whose exporter cannot be built
// does not undo the change: the response is 200 with the problem in
// "problem".
func (h *Handler) postStart(c *call) (any, *Error) {
	var problem error
	e := h.change(c, telemetry.KeyEnable, "", "", func() error {
		// Exporters built here may outlive the request: they get its values
		// but not its cancellation.
		err := c.ctl.Enable(context.WithoutCancel(c.r.Context()))
		if err != nil && !errors.Is(err, telemetry.ErrShutdown) {
			problem = err
			return nil
		}
		return err
	})
	if e != nil {
		return nil, e
	}
	resp := enabledResponse{Enabled: c.ctl.Enabled()}
	if problem != nil {
		resp.Problem = problem.Error()
	}
	return resp, nil
}

// postStop turns telemetry off (Control.Disable; the route keeps PyTango's
// name).
func (h *Handler) postStop(c *call) (any, *Error) {
	if e := h.change(c, telemetry.KeyEnable, "", "", c.ctl.Disable); e != nil {
		return nil, e
	}
	return enabledResponse{Enabled: c.ctl.Enabled()}, nil
}

func getTopics(_ *Handler, c *call) (any, *Error) {
	return topicsBody{Topics: c.ctl.Topics().List()}, nil
}

func (h *Handler) putTopics(c *call) (any, *Error) {
	var body topicsBody
	if e := h.readBody(c.w, c.r, &body, `{"topics":["user","kernel"]}`, []string{"topics"}); e != nil {
		return nil, e
	}
	if body.Topics == nil {
		_, err := telemetry.ParseTopics(nil)
		_, allowed := splitAllowed(err.Error())
		return nil, apiError(http.StatusBadRequest, "topics", "", "topics: missing", allowed)
	}
	for i, t := range body.Topics {
		if _, err := telemetry.ParseTopics([]string{t}); err != nil {
			return nil, valueProblem(http.StatusBadRequest, fmt.Sprintf("topics[%d]", i), t, err)
		}
	}
	value := strings.Join(body.Topics, ",")
	t, err := telemetry.ParseTopics(body.Topics)
	if err != nil {
		return nil, valueProblem(http.StatusBadRequest, "topics", value, err)
	}
	if e := h.change(c, telemetry.KeyTopics, "topics", value, func() error { return c.ctl.SetTopics(t) }); e != nil {
		return nil, e
	}
	return topicsBody{Topics: c.ctl.Topics().List()}, nil
}

func getSampler(_ *Handler, c *call) (any, *Error) { return samplerBody(c.ctl.Sampler()), nil }

// samplerNames are the sampler names a request may give.
var samplerNames = []string{telemetry.SamplerAlwaysOn, telemetry.SamplerAlwaysOff, telemetry.SamplerTraceIDRatio,
	telemetry.SamplerParentBasedAlwaysOn, telemetry.SamplerParentBasedAlwaysOff, telemetry.SamplerParentBasedTraceIDRatio}

func (h *Handler) putSampler(c *call) (any, *Error) {
	var body samplerRequest
	example := `{"name":"parentbased_traceidratio","ratio":0.1}`
	if e := h.readBody(c.w, c.r, &body, example, []string{"name", "ratio"}); e != nil {
		return nil, e
	}
	s, e := parseSamplerRequest(body)
	if e != nil {
		return nil, e
	}
	if e := h.change(c, telemetry.KeySampler, "sampler", s.String(), func() error { return c.ctl.SetSampler(s) }); e != nil {
		return nil, e
	}
	return samplerBody(c.ctl.Sampler()), nil
}

// parseSamplerRequest reads {"name":..,"ratio":..}: a ratio alone means
// telemetry.RatioSampler; a sampler without a ratio ignores one given (a
// GET's body can be sent back changed), but it must still be in [0,1].
func parseSamplerRequest(body samplerRequest) (telemetry.Sampler, *Error) {
	if body.Name == nil && body.Ratio == nil {
		return telemetry.Sampler{}, apiError(http.StatusBadRequest, "name", "",
			`sampler: give "name", "ratio" or both`, samplerNames)
	}
	var ratio string
	if body.Ratio != nil {
		ratio = strconv.FormatFloat(*body.Ratio, 'g', -1, 64)
		if _, err := telemetry.ParseSampler(ratio); err != nil {
			return telemetry.Sampler{}, valueProblem(http.StatusBadRequest, "ratio", ratio, err)
		}
	}
	if body.Name == nil {
		return telemetry.RatioSampler(*body.Ratio), nil
	}
	name := strings.ToLower(strings.TrimSpace(*body.Name))
	if !slices.Contains(samplerNames, name) {
		return telemetry.Sampler{}, apiError(http.StatusBadRequest, "name", *body.Name,
			fmt.Sprintf("name: unknown sampler %q", *body.Name), samplerNames)
	}
	text := name
	if ratio != "" && strings.HasSuffix(name, "traceidratio") {
		text += ":" + ratio
	}
	s, err := telemetry.ParseSampler(text)
	if err != nil {
		return telemetry.Sampler{}, valueProblem(http.StatusBadRequest, "ratio", ratio, err)
	}
	return s, nil
}
