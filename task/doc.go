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
// and error handling; Client.Shutdown ends either. The submitter's context deadline travels with the
// task and bounds its run; canceling the context fails the Future and
// tells the worker to cancel the run.
//
// # Workers
//
// A Worker (NewWorker, NewNATSWorker) pulls tasks through a durable pull
// consumer shared by the pool, acknowledges each after publishing its
// result, sends in-progress heartbeats while it runs, and drains when Run's
// ctx ends or Worker.Shutdown is called.
// A worker that dies leaves its tasks unacknowledged; the server
// redelivers them to another worker after the ack wait.
//
// Every process that submits or runs tasks runs a startup hook, as Ray
// runs its tracing startup hook in the driver and in every worker: chosen
// by name (WithHook, else the environment variable
// SIGHTLINE_TRACING_STARTUP_HOOK) among those registered with
// RegisterHook, at most once per process; typically it sets up telemetry
// and installs it globally. Clients run it in their constructor (the
// default client on first use), workers in Run before their first task;
// an unknown name fails the constructor with the registered names.
//
// # Options
//
// Constructors take sealed With... options of the type of what they make:
// LocalOption (NewLocal), ClientOption (DialNATS, NewNATSClient) and
// WorkerOption (NewWorker, NewNATSWorker). An option that applies to
// several kinds satisfies each of their types: an Option (WithTracerProvider,
// WithPropagator, WithLogger) applies to all, a NATSOption (WithStream,
// WithSubjectPrefix, WithNATSOptions) to NATS clients and workers, a
// PoolOption (WithRegistry, WithConcurrency, WithWorkerID) to whatever runs
// tasks, the in-process client or a NATS worker. A worker option given to
// a client does not compile. No option is ignored: where one compiles but
// cannot apply it is an error at construction naming it (WithNATSOptions
// on a connection made elsewhere, NewNATSClient and NewWorker; a stream or
// subject prefix given to NewWorker other than its client's). The
// environment is read through WithEnv's func(name string) (string, bool),
// the module's one getenv shape, for HookEnv only.
//
// # Lifecycle
//
// Client.Shutdown(ctx) ends a client and Worker.Shutdown(ctx) a worker;
// both are idempotent and honour ctx's deadline: they return nil once every
// goroutine of theirs has ended, or ctx's error, wrapped, when ctx ends
// first (a task function that ignores its ctx). A worker is
// served by a blocking Run(ctx), stopped by the end of ctx or by Shutdown;
// Shutdown's deadline cuts the drain timeout short. The package-level
// Shutdown runs what startup hooks registered with OnShutdown.
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
