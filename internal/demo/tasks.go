package demo

import (
	"context"
	"fmt"

	"github.com/sightline-dev/sightline/task"
	"github.com/sightline-dev/sightline/telemetry"
)

// RegisterTasks registers the demo's task functions (fit_peak) in reg, for
// the workers that run them (sightline worker registers them in the
// default registry).
func RegisterTasks(reg *task.Registry) error {
	return task.RegisterIn(reg, FitPeakTask, FitPeak)
}

// peakFitter returns the function that fits a scan's peak as a task: on
// the workers of the NATS server at natsURL, or (natsURL "") on a worker
// goroutine of this process. Its spans (PRODUCER here, CONSUMER where it
// runs) join the scan's trace.
func peakFitter(ctx context.Context, comp *telemetry.Component, natsURL string) (func(context.Context, Points) (Peak, error), func(), error) {
	tp, prop := task.WithTracerProvider(comp.TracerProvider()), task.WithPropagator(comp.Propagator())
	var c *task.Client
	if natsURL == "" {
		reg := task.NewRegistry()
		if err := RegisterTasks(reg); err != nil {
			return nil, nil, err
		}
		var err error
		if c, err = task.NewLocal(tp, prop, task.WithRegistry(reg), task.WithConcurrency(1)); err != nil {
			return nil, nil, fmt.Errorf("demo tasks: %w", err)
		}
	} else {
		var err error
		if c, err = task.DialNATS(ctx, natsURL, tp, prop); err != nil {
			return nil, nil, fmt.Errorf("demo tasks: %w", err)
		}
	}
	fit := func(ctx context.Context, p Points) (Peak, error) {
		f, err := c.Submit(ctx, FitPeakTask, p)
		if err != nil {
			return Peak{}, err
		}
		return task.Get[Peak](ctx, f)
	}
	return fit, func() { _ = c.Shutdown(context.WithoutCancel(ctx)) }, nil
}
