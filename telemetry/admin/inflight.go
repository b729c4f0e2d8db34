package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
)

// The in-flight route: GET and PUT .../{name}/inflight.

// inflightRequest is PUT .../inflight's body: any of the three settings;
// the durations are Go durations ("1s") or whole milliseconds ("1000").
type inflightRequest struct {
	Mode      *string `json:"mode,omitempty"`
	Threshold *string `json:"threshold,omitempty"`
	Interval  *string `json:"interval,omitempty"`
}

// getInFlight answers the in-flight settings and counters.
func getInFlight(_ *Handler, c *call) (any, *Error) { return c.ctl.Status().InFlight, nil }

// putInFlight changes the settings given, after checking all of them: a
// bad one changes nothing. Each change is persisted (?persist=1) and
// logged under its own setting key.
func (h *Handler) putInFlight(c *call) (any, *Error) {
	var body inflightRequest
	example := `{"mode":"on","threshold":"1s","interval":"10s"}`
	if e := h.readBody(c.w, c.r, &body, example, []string{"mode", "threshold", "interval"}); e != nil {
		return nil, e
	}
	if body.Mode == nil && body.Threshold == nil && body.Interval == nil {
		return nil, apiError(http.StatusBadRequest, "", "", `in-flight: give "mode", "threshold", "interval" or several`,
			[]string{"mode", "threshold", "interval"})
	}
	type step struct {
		key, field, value string
		apply             func() error
	}
	var steps []step
	if body.Mode != nil {
		m, err := telemetry.ParseInFlightMode(*body.Mode)
		if err != nil {
			return nil, valueProblem(http.StatusBadRequest, "mode", *body.Mode, err)
		}
		// Exporters built here may outlive the request: they get its values
		// but not its cancellation.
		ctx := context.WithoutCancel(c.r.Context())
		steps = append(steps, step{telemetry.KeyInFlight, "mode", *body.Mode,
			func() error { return c.ctl.SetInFlightMode(ctx, m) }})
	}
	for _, d := range []struct {
		key, field string
		text       *string
		parse      func(string) (time.Duration, error)
		set        func(time.Duration) error
	}{
		{telemetry.KeyInFlightThreshold, "threshold", body.Threshold, telemetry.ParseInFlightThreshold, c.ctl.SetInFlightThreshold},
		{telemetry.KeyInFlightInterval, "interval", body.Interval, telemetry.ParseInFlightInterval, c.ctl.SetInFlightInterval},
	} {
		if d.text == nil {
			continue
		}
		v, err := d.parse(*d.text)
		if err != nil {
			return nil, valueProblem(http.StatusBadRequest, d.field, *d.text, err)
		}
		steps = append(steps, step{d.key, d.field, *d.text, func() error { return d.set(v) }})
	}
	for _, s := range steps {
		if e := h.change(c, s.key, s.field, s.value, s.apply); e != nil {
			return nil, e
		}
	}
	return c.ctl.Status().InFlight, nil
}

// InFlight returns a component's in-flight announcing: its settings,
// counters and endpoints.
func (c *Client) InFlight(ctx context.Context, comp string) (telemetry.InFlightStatus, error) {
	var out telemetry.InFlightStatus
	err := c.do(ctx, http.MethodGet, comp, "inflight", nil, &out, nil)
	return out, err
}

// SetInFlight changes a component's in-flight settings: the mode when
// set.Mode is not "", the threshold and the interval when not zero. The
// server checks them all before it changes any.
func (c *Client) SetInFlight(ctx context.Context, comp string, set telemetry.InFlightSettings, opts ...CallOption) error {
	var body inflightRequest
	if set.Mode != "" {
		m := string(set.Mode)
		body.Mode = &m
	}
	if set.Threshold != 0 {
		d := set.Threshold.String()
		body.Threshold = &d
	}
	if set.Interval != 0 {
		d := set.Interval.String()
		body.Interval = &d
	}
	return c.do(ctx, http.MethodPut, comp, "inflight", body, nil, opts)
}
