package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

const propsUsage = `usage: sightline ctl props list   --db FILE
       sightline ctl props get    --db FILE COMPONENT [KEY]
       sightline ctl props set    --db FILE COMPONENT KEY [VALUE ...]
       sightline ctl props delete --db FILE COMPONENT KEY [KEY ...]

Stored properties are read by a component when it starts (environment <
properties < runtime changes). Telemetry keys (telemetry_enable,
telemetry_topics, telemetry_types, telemetry_tracing_exporters,
telemetry_tracing_endpoints, telemetry_logging_exporters,
telemetry_logging_endpoints, telemetry_sampler, telemetry_inflight,
telemetry_inflight_threshold, telemetry_inflight_interval) are checked
before they are stored; other keys are free-form. A VALUE may be a comma
list.

flags:
`

func runProps(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, propsUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return exitOK
		}
		return exitUsage
	}
	op := args[0]
	fs := flag.NewFlagSet("sightline ctl props "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SIGHTLINE_PROPERTIES_DB", ""), "properties file (default $SIGHTLINE_PROPERTIES_DB)")
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	fs.Usage = func() { fmt.Fprint(stderr, propsUsage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	out, err := propsDo(ctx, op, *db, fs.Args())
	return finish(out, err, *asJSON, stdout, stderr, fs.Usage)
}

func propsDo(ctx context.Context, op, db string, args []string) (any, error) {
	if db == "" {
		return nil, usageErr("--db FILE is required")
	}
	switch op {
	case "list", "get", "set", "delete":
	default:
		return nil, usageErr("unknown props action %q (want list, get, set, delete)", op)
	}
	if op == "list" && len(args) != 0 || op != "list" && len(args) < 1 {
		return nil, usageErr("wrong number of arguments for props %s", op)
	}
	if (op == "set" || op == "delete") && len(args) < 2 {
		return nil, usageErr("props %s needs COMPONENT KEY", op)
	}
	if op == "get" && len(args) > 2 {
		return nil, usageErr("props get takes COMPONENT [KEY]")
	}
	store, err := properties.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	switch op {
	case "list":
		names, err := store.Components(ctx)
		return propsListVw(names), err
	case "get":
		props, err := store.Get(ctx, args[0])
		if err != nil || len(args) == 1 {
			return propsView(props), err
		}
		v, ok := props[args[1]]
		if !ok {
			return nil, fmt.Errorf("component %s has no property %s", args[0], args[1])
		}
		return propsView{args[1]: v}, nil
	case "set":
		var values []string
		for _, v := range args[2:] {
			values = append(values, strings.Split(v, ",")...)
		}
		props := map[string][]string{args[1]: values}
		// Check the key together with what is stored, so exporters and
		// endpoints set one at a time are checked as the pair they form.
		stored, err := store.Get(ctx, args[0])
		if err != nil {
			return nil, err
		}
		stored[args[1]] = values
		if err := telemetry.CheckProperties(stored); err != nil {
			return nil, err
		}
		if err := store.Set(ctx, args[0], props); err != nil {
			return nil, err
		}
		return propsView(props), nil
	}
	return nil, store.Delete(ctx, args[0], args[1:]...)
}
