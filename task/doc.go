// Package task runs functions as tasks on workers, in this process or in
// other processes through NATS JetStream, and traces each task from the
// place it is submitted to the place it runs, the way Ray traces remote
// tasks.
//
// # Functions and submission
//
// Functions are registered by name, with typed arguments and results that
// travel as JSON:
//
//	task.Register("resize", func(ctx context.Context, img Image) (Thumb, error) { ... })
//
//	f, err := task.Submit(ctx, "resize", img) // the default, in-process client
//	thumb, err := task.Get[Thumb](ctx, f)
//
// A Registry (NewRegistry, RegisterIn) keeps functions apart from the
// default one. A Client submits: NewLocal runs tasks in goroutines of this
// process, DialNATS sends them to a JetStream work-queue stream served by
// Workers in other processes. Both go through the same encoding, tracing
// and error handling. The submitter's context deadline travels with the
// task and bounds its run; canceling the context fails the Future and
// tells the worker to cancel the run.
//
// # Workers
//
// A Worker (NewWorker, NewNATSWorker) pulls tasks through a durable pull
// consumer shared by the pool, acknowledges each after publishing its
// result, sends in-progress heartbeats while it runs, and drains on stop.
// A worker that dies leaves its tasks unacknowledged; the server
// redelivers them to another worker after the ack wait.
//
// Before its first task a worker runs a startup hook, chosen by name
// (WithHook, else the environment variable SIGHTLINE_TRACING_STARTUP_HOOK)
// among those registered with RegisterHook, at most once per process:
// typically it sets up telemetry and installs it globally.
//
// # Tracing
//
// Submit starts a PRODUCER span "<function> task.submit", ended when the
// task is accepted; its context travels in the message headers
// (traceparent). The worker runs the function under a CONSUMER span
// "<function> task.run", a child of it, with the attributes task.function,
// task.id, task.attempt, worker.id, worker.pid and host.name. A
// redelivered attempt links to the earlier attempts' CONSUMER spans, whose
// span contexts workers keep in a JetStream KeyValue bucket, and an
// attempt that runs for more than the mark delay emits a zero-length
// "<function> task.start" span so that an attempt whose worker was killed
// is visible too. The package imports only the OpenTelemetry API.
//
// Failures reach the submitter as *Error values whose Kind errors.Is
// matches with a sentinel (ErrUnknownFunction, ErrBadArguments, ErrPanic,
// ...). docs/tasks.md describes the wire format and the design.
package task
