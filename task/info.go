package task

import "context"

// Info describes the task a function is running for.
type Info struct {
	ID       string
	Function string
	// Attempt counts deliveries: 1 for the first, 2 after the first
	// worker died, and so on (JetStream's NumDelivered; always 1 in
	// process).
	Attempt int
	// WorkerID is the id of the worker running the task.
	WorkerID string
}

type infoKey struct{}

// FromContext returns the Info of the task whose context ctx is (or is
// derived from), and false outside a task.
func FromContext(ctx context.Context) (Info, bool) {
	i, ok := ctx.Value(infoKey{}).(Info)
	return i, ok
}

func withInfo(ctx context.Context, i Info) context.Context {
	return context.WithValue(ctx, infoKey{}, i)
}
