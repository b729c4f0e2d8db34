package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// DefaultAdminAddr is where ctl looks for an admin API when neither --addr
// nor SIGHTLINE_ADMIN_ADDR says otherwise.
const DefaultAdminAddr = "127.0.0.1:8761"

const ctlUsage = `usage: sightline ctl [flags] components
       sightline ctl [flags] COMPONENT status
       sightline ctl [flags] COMPONENT start | stop
       sightline ctl [flags] COMPONENT topics [set user,kernel]
       sightline ctl [flags] COMPONENT tracing [on | off]
       sightline ctl [flags] COMPONENT tracing endpoints [set EXPORTER URL [EXPORTER URL ...] | add EXPORTER URL | remove EXPORTER URL]
       sightline ctl [flags] COMPONENT logging ...            (as tracing)
       sightline ctl [flags] COMPONENT sampler [RATIO | NAME[:RATIO]]
       sightline ctl [flags] COMPONENT inflight [auto | on | off] [threshold DURATION] [interval DURATION]
       sightline ctl props get|set|delete|list ...          (sightline ctl props -h)

Flags come before the component. Exit status: 0 ok, 1 refused by the server
(or it could not be reached), 2 usage. Changes need the server's token:
--token, else $SIGHTLINE_ADMIN_TOKEN, else the token file the server wrote
for its port in your runtime directory (so run ctl as the server's user).

flags:
`

// errUsage marks a command-line mistake (exit 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageErr(format string, args ...any) error { return errUsage{fmt.Sprintf(format, args...)} }

type ctlFlags struct {
	addr, token string
	json        bool
	persist     bool
	timeout     time.Duration
}

func runCtl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "props" {
		return runProps(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("sightline ctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f ctlFlags
	fs.StringVar(&f.addr, "addr", envOr("SIGHTLINE_ADMIN_ADDR", DefaultAdminAddr), "admin API address HOST:PORT (default $SIGHTLINE_ADMIN_ADDR)")
	fs.StringVar(&f.token, "token", os.Getenv(admin.TokenEnv), ctlTokenHelp)
	fs.BoolVar(&f.json, "json", false, "print JSON for scripts")
	fs.BoolVar(&f.persist, "persist", false, "also store the change as the component's property, so it survives a restart")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "give up after this long")
	fs.Usage = func() { fmt.Fprint(stderr, ctlUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	client, err := admin.NewClient(f.addr, ctlClientOptions(f.token)...)
	if err != nil {
		fmt.Fprintf(stderr, "sightline ctl: --addr: %v\n", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	out, err := ctlDo(ctx, client, f, fs.Args())
	return finish(out, err, f.json, stdout, stderr, fs.Usage)
}

// finish prints a result or an error and returns the exit code.
func finish(out any, err error, asJSON bool, stdout, stderr io.Writer, usage func()) int {
	var ue errUsage
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sightline ctl: %v\n\n", err)
		usage()
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "sightline ctl: %v\n", err)
		authHint(stderr, err)
		return exitRefused
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return exitOK
	}
	printHuman(stdout, out)
	return exitOK
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ctlDo runs one ctl command and returns what to print.
func ctlDo(ctx context.Context, c *admin.Client, f ctlFlags, args []string) (any, error) {
	if len(args) == 0 {
		return nil, usageErr("missing COMPONENT or components")
	}
	if args[0] == "components" {
		if len(args) > 1 {
			return nil, usageErr("components takes no arguments")
		}
		names, err := c.Components(ctx)
		return componentList(names), err
	}
	if len(args) < 2 {
		return nil, usageErr("missing what to do with %s (status, start, stop, topics, tracing, logging, sampler, inflight)", args[0])
	}
	comp, verb, rest := args[0], args[1], args[2:]
	var call []admin.CallOption
	if f.persist {
		call = append(call, admin.Persist())
	}
	switch verb {
	case "status":
		if len(rest) > 0 {
			return nil, usageErr("status takes no arguments")
		}
		st, err := c.Status(ctx, comp)
		return statusView(st), err
	case "start", "stop":
		if len(rest) > 0 {
			return nil, usageErr("%s takes no arguments", verb)
		}
		var err error
		if verb == "start" {
			err = c.Enable(ctx, comp, call...)
		} else {
			err = c.Disable(ctx, comp, call...)
		}
		if err != nil {
			return nil, err
		}
		st, err := c.Status(ctx, comp)
		return enabledView{Component: comp, Enabled: st.Enabled}, err
	case "topics":
		return ctlTopics(ctx, c, comp, rest, call)
	case "tracing", "logging":
		return ctlSignal(ctx, c, comp, verb, rest, call)
	case "sampler":
		return ctlSampler(ctx, c, comp, rest, call)
	case "inflight":
		return ctlInFlight(ctx, c, comp, rest, call)
	}
	return nil, usageErr("unknown action %q (want status, start, stop, topics, tracing, logging, sampler, inflight)", verb)
}

func ctlTopics(ctx context.Context, c *admin.Client, comp string, rest []string, call []admin.CallOption) (any, error) {
	switch {
	case len(rest) == 0:
	case len(rest) == 2 && rest[0] == "set":
		if err := c.SetTopics(ctx, comp, strings.Split(rest[1], ","), call...); err != nil {
			return nil, err
		}
	default:
		return nil, usageErr("topics takes nothing, or set TOPIC[,TOPIC]")
	}
	t, err := c.Topics(ctx, comp)
	return topicsView{Component: comp, Topics: t}, err
}

func ctlSampler(ctx context.Context, c *admin.Client, comp string, rest []string, call []admin.CallOption) (any, error) {
	switch len(rest) {
	case 0:
	case 1:
		s, err := telemetry.ParseSampler(rest[0])
		if err != nil {
			return nil, usageErr("sampler %q: %v", rest[0], err)
		}
		if err := c.SetSampler(ctx, comp, s, call...); err != nil {
			return nil, err
		}
	default:
		return nil, usageErr("sampler takes nothing, or one RATIO or NAME[:RATIO]")
	}
	s, err := c.Sampler(ctx, comp)
	return samplerView{Component: comp, Sampler: s}, err
}

// ctlSignal handles "tracing ..." and "logging ...".
func ctlSignal(ctx context.Context, c *admin.Client, comp, signal string, rest []string, call []admin.CallOption) (any, error) {
	logs := signal == "logging"
	if len(rest) == 0 || rest[0] == "on" || rest[0] == "off" {
		if len(rest) > 1 {
			return nil, usageErr("%s %s takes no more arguments", signal, rest[0])
		}
		if len(rest) == 1 {
			on := rest[0] == "on"
			var err error
			if logs {
				err = c.SetLogging(ctx, comp, on, call...)
			} else {
				err = c.SetTracing(ctx, comp, on, call...)
			}
			if err != nil {
				return nil, err
			}
		}
		var on bool
		var err error
		if logs {
			on, err = c.Logging(ctx, comp)
		} else {
			on, err = c.Tracing(ctx, comp)
		}
		return signalView{Component: comp, Signal: signal, Enabled: on}, err
	}
	if rest[0] != "endpoints" {
		return nil, usageErr("%s takes on, off or endpoints, not %q", signal, rest[0])
	}
	if err := ctlEndpoints(ctx, c, comp, logs, rest[1:], call); err != nil {
		return nil, err
	}
	var eps []telemetry.Endpoint
	var err error
	if logs {
		eps, err = c.LoggingEndpoints(ctx, comp)
	} else {
		eps, err = c.TracingEndpoints(ctx, comp)
	}
	return endpointsView{Component: comp, Signal: signal, Endpoints: eps}, err
}

func ctlEndpoints(ctx context.Context, c *admin.Client, comp string, logs bool, args []string, call []admin.CallOption) error {
	if len(args) == 0 {
		return nil
	}
	op, pairs := args[0], args[1:]
	if len(pairs)%2 != 0 || len(pairs) == 0 && op != "set" {
		return usageErr("endpoints %s takes EXPORTER URL pairs", op)
	}
	var eps []telemetry.Endpoint
	for i := 0; i < len(pairs); i += 2 {
		eps = append(eps, telemetry.Endpoint{Exporter: pairs[i], URL: pairs[i+1]})
	}
	switch {
	case op == "set" && logs:
		return c.SetLoggingEndpoints(ctx, comp, eps, call...)
	case op == "set":
		return c.SetTracingEndpoints(ctx, comp, eps, call...)
	case (op == "add" || op == "remove") && len(eps) != 1:
		return usageErr("endpoints %s takes one EXPORTER URL", op)
	case op == "add" && logs:
		return c.AddLoggingEndpoint(ctx, comp, eps[0], call...)
	case op == "add":
		return c.AddTracingEndpoint(ctx, comp, eps[0], call...)
	case op == "remove" && logs:
		return c.RemoveLoggingEndpoint(ctx, comp, eps[0], call...)
	case op == "remove":
		return c.RemoveTracingEndpoint(ctx, comp, eps[0], call...)
	}
	return usageErr("endpoints takes set, add or remove, not %q", op)
}
