package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// openRun is the run between open_run and close_run.
type openRun struct {
	uid      string
	planName string
	span     trace.Span
	ctx      context.Context   // with span, for the kernel spans of documents
	opener   trace.SpanContext // the span in the open_run message's Ctx
	bundle   *bundle
	streams  map[string]*descriptor               // by stream name and key set
	describe map[string]map[string]device.DataKey // Describe's answers by device name
	events   map[string]int                       // events per stream name
}

// openRun emits the start document and starts the run span:
//
//	start{uid, time, scan_id, plan_name, ...md}
func (r *runner) openRun(pctx context.Context, m *Msg) {
	if r.run != nil {
		r.fault(m, fmt.Errorf("open_run: run %s is still open (one run at a time)", r.run.uid))
		return
	}
	uid, now := r.re.newUID(), r.re.now()
	scanID := int(r.re.scanID.Add(1))
	planName, _ := m.Kwargs["plan_name"].(string)
	_, span := r.re.tracer.Start(pctx, r.re.runName(planName))
	if span.IsRecording() {
		if r.re.bluesky { // Bluesky's run span carries the open_run message
			r.setMsgAttrs(span, m)
		}
		span.SetAttributes(runUIDKey.String(uid), planNameKey.String(planName), scanIDKey.Int(scanID))
	}
	run := &openRun{uid: uid, planName: planName, span: span, streams: map[string]*descriptor{},
		describe: map[string]map[string]device.DataKey{}, events: map[string]int{}}
	run.ctx = trace.ContextWithSpan(r.ctx, span)
	if m.Ctx != nil {
		run.opener = trace.SpanContextFromContext(m.Ctx)
	}
	r.run = run
	r.uids = append(r.uids, uid)
	doc := make(Document, len(m.Kwargs)+4)
	for k, v := range m.Kwargs {
		doc[k] = v
	}
	doc["uid"], doc["time"], doc["scan_id"], doc["plan_name"] = uid, unixSeconds(now), scanID, planName
	m.Result = uid
	if err := r.emit("start", doc); err != nil {
		r.fault(m, err)
	}
}

// closeRunMsg handles close_run: the plan's exit status, or success.
func (r *runner) closeRunMsg(m *Msg) {
	if r.run == nil {
		r.fault(m, errors.New("close_run: no run is open"))
		return
	}
	exit, _ := m.Kwargs["exit_status"].(string)
	reason, _ := m.Kwargs["reason"].(string)
	if exit == "" {
		exit = ExitSuccess
	}
	m.Result = r.run.uid
	if err := r.closeRun(exit, reason); err != nil {
		r.fault(m, err)
	}
}

// closeRun emits the stop document and ends the run span (an error for
// abort, halt and fail); an open bundle is dropped:
//
//	stop{uid, run_start, time, exit_status, reason, num_events}
func (r *runner) closeRun(exit, reason string) error {
	run := r.run
	events := make(map[string]int, len(run.events))
	for k, v := range run.events {
		events[k] = v
	}
	doc := Document{"uid": r.re.newUID(), "run_start": run.uid, "time": unixSeconds(r.re.now()),
		"exit_status": exit, "reason": reason, "num_events": events}
	err := r.emit("stop", doc)
	r.run = nil
	run.span.SetAttributes(exitStatusKey.String(exit), reasonKey.String(reason))
	if r.re.bluesky {
		run.span.SetAttributes(successKey.Bool(exit == ExitSuccess))
	}
	switch exit {
	case ExitAbort, ExitHalt, ExitFail:
		msg := exit
		if reason != "" {
			msg += ": " + reason
		}
		run.span.SetStatus(codes.Error, msg)
	}
	run.span.End()
	if err != nil && r.cleaning {
		r.extra = append(r.extra, err)
		return nil
	}
	return err
}

// emit sends a document to the subscribers, in a kernel span "emit <name>"
// under the run span. A subscriber's panic is returned as an error after
// the other subscribers had the document.
func (r *runner) emit(name string, doc Document) (err error) {
	parent := r.ctx
	if r.run != nil {
		parent = r.run.ctx
	}
	_, ks := r.re.kernel.Start(parent, kernelName(emitNames, "emit ", name))
	defer ks.End()
	subs := r.re.subs.Load()
	if subs == nil {
		return nil
	}
	for _, s := range *subs {
		if perr := deliver(s.f, name, doc); perr != nil && err == nil {
			err = perr
			ks.SetStatus(codes.Error, err.Error())
		}
	}
	return err
}

func deliver(f func(string, Document), name string, doc Document) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError("subscriber panicked on "+name+" document", v)
		}
	}()
	f(name, doc)
	return nil
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
