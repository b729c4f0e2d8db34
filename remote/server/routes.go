package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/remote"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET "+remote.PathPrefix+"/devices", s.handleList)
	s.mux.HandleFunc("GET "+remote.PathPrefix+"/devices/{device}", s.handleInfo)
	s.mux.HandleFunc("GET "+remote.PathPrefix+"/devices/{device}/ping", s.handlePing)
	s.mux.HandleFunc("POST "+remote.PathPrefix+"/devices/{device}/commands/{command}", s.handleCommand)
	s.mux.HandleFunc("GET "+remote.PathPrefix+"/devices/{device}/attributes/{attribute}", s.handleRead)
	s.mux.HandleFunc("PUT "+remote.PathPrefix+"/devices/{device}/attributes/{attribute}", s.handleWrite)
	s.mux.HandleFunc("GET "+remote.PathPrefix+"/operations/{id}", s.handleWait)
	s.mux.HandleFunc("DELETE "+remote.PathPrefix+"/operations/{id}", s.handleCancel)
	s.mux.HandleFunc(remote.PathPrefix+"/", s.handleUnknownRoute)
}

func (s *Server) handleUnknownRoute(w http.ResponseWriter, r *http.Request) {
	e := newError(remote.CodeUnknownRoute, "%s %s is not a route of the remote protocol (see docs/remote-protocol.md)", r.Method, clipString(r.URL.Path))
	httpjson.Write(w, e.Code.HTTPStatus(), remote.ErrorBody{Error: e})
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	c := s.begin(w, r, s.AdminDevice(), "list_devices", false, false)
	if c == nil {
		return
	}
	out := remote.DeviceList{Devices: []remote.DeviceInfo{}}
	for _, name := range s.Devices() {
		if h := s.lookup(name); h != nil {
			out.Devices = append(out.Devices, h.dev.info(c.ctx, h.state()))
		}
	}
	c.reply(out)
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("device")
	if h := s.lookup(name); h != nil && h.state() == remote.StateOff {
		// A stopped device still says what it is, and that it is off.
		c := s.begin(w, r, s.AdminDevice(), "info", false, false)
		if c != nil {
			c.reply(h.dev.info(c.ctx, remote.StateOff))
		}
		return
	}
	c := s.begin(w, r, name, "info", false, false)
	if c == nil {
		return
	}
	c.reply(c.h.dev.info(c.ctx, remote.StateOn))
}

func (s *Server) handlePing(w http.ResponseWriter, r *http.Request) {
	c := s.begin(w, r, r.PathValue("device"), "ping", false, false)
	if c == nil {
		return
	}
	c.reply(remote.PingResponse{State: remote.StateOn})
}

func (s *Server) handleCommand(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("command")
	c := s.begin(w, r, r.PathValue("device"), name, false, false)
	if c == nil {
		return
	}
	cmd := c.h.dev.commands[name]
	if cmd == nil {
		c.fail(newError(remote.CodeUnknownCommand, "device %s (class %s) has no command %q; it has: %s",
			c.h.dev.name, c.h.dev.class, name, strings.Join(c.h.dev.commandNames(), ", ")))
		return
	}
	var req remote.CommandRequest
	if e := c.decode(&req); e != nil {
		c.fail(e)
		return
	}
	if cmd.start != nil {
		st, err := cmd.start(context.WithoutCancel(c.ctx), req.Argin)
		if err != nil {
			c.fail(errorFrom(err, remote.CodeFailed))
			return
		}
		id, err := s.ops.add(c.h.dev.name, st)
		if err != nil {
			c.fail(errorFrom(err, remote.CodeFailed))
			return
		}
		c.span.SetAttributes(remote.AttrOperation.String(id))
		raw, _ := json.Marshal(remote.OperationRef{Operation: id})
		c.reply(remote.CommandResponse{Argout: raw})
		return
	}
	res, err := cmd.call(c.ctx, req.Argin)
	if err != nil {
		c.fail(errorFrom(err, remote.CodeFailed))
		return
	}
	raw, err := json.Marshal(res)
	if err != nil {
		c.fail(newError(remote.CodeFailed, "command %s of %s: encode the result: %v", name, c.h.dev.name, err))
		return
	}
	c.reply(remote.CommandResponse{Argout: raw})
}

func (d *Device) commandNames() []string {
	names := make([]string, 0, len(d.commands))
	for n := range d.commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// beginAttribute begins a read or write (op) of the attribute in the
// path; nil when it answered already.
func (s *Server) beginAttribute(w http.ResponseWriter, r *http.Request, op string) (*call, *attr, string) {
	name := r.PathValue("attribute")
	c := s.begin(w, r, r.PathValue("device"), op+"_"+name, false, false)
	if c == nil {
		return nil, nil, name
	}
	a, e := c.attribute(name)
	if e != nil {
		c.fail(e)
		return nil, nil, name
	}
	return c, a, name
}

func (s *Server) handleRead(w http.ResponseWriter, r *http.Request) {
	c, a, name := s.beginAttribute(w, r, "read")
	if c == nil {
		return
	}
	v, q, t, err := a.read(c.ctx)
	if err != nil {
		c.fail(errorFrom(err, remote.CodeFailed))
		return
	}
	if q == "" {
		q = remote.QualityValid
	}
	if !q.Valid() {
		c.fail(newError(remote.CodeFailed, "attribute %s of %s: the device returned quality %q, not one of %v", name, c.h.dev.name, q, remote.Qualities))
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		c.fail(newError(remote.CodeFailed, "attribute %s of %s: encode the value: %v", name, c.h.dev.name, err))
		return
	}
	c.reply(remote.AttributeValue{Name: name, Value: raw, Quality: q, Time: t.UTC()})
}

func (s *Server) handleWrite(w http.ResponseWriter, r *http.Request) {
	c, a, name := s.beginAttribute(w, r, "write")
	if c == nil {
		return
	}
	if a.write == nil {
		c.fail(newError(remote.CodeReadOnly, "attribute %s of %s is read-only", name, c.h.dev.name))
		return
	}
	var req remote.WriteRequest
	if e := c.decode(&req); e != nil {
		c.fail(e)
		return
	}
	if len(req.Value) == 0 {
		c.fail(newError(remote.CodeMalformedBody, `write %s of %s: the body must be {"value": ...}`, name, c.h.dev.name))
		return
	}
	if err := a.write(c.ctx, req.Value); err != nil {
		c.fail(errorFrom(err, remote.CodeFailed))
		return
	}
	c.reply(struct{}{})
}

// attribute finds the call's attribute or says why not.
func (c *call) attribute(name string) (*attr, *remote.Error) {
	a, err := c.h.dev.attribute(c.ctx, name)
	if err != nil {
		return nil, errorFrom(err, remote.CodeFailed)
	}
	if a == nil {
		var names []string
		for _, ai := range c.h.dev.info(c.ctx, remote.StateOn).Attributes {
			names = append(names, ai.Name)
		}
		return nil, newError(remote.CodeUnknownAttribute, "device %s (class %s) has no attribute %q; it has: %s",
			c.h.dev.name, c.h.dev.class, name, strings.Join(names, ", "))
	}
	return a, nil
}

// beginOperation begins a call about the operation in the path, traced by
// its device's component; nil when it answered already.
func (s *Server) beginOperation(w http.ResponseWriter, r *http.Request, method string, kernel bool) (*call, *operation) {
	op := s.ops.get(r.PathValue("id"))
	dev := s.AdminDevice()
	if op != nil {
		dev = op.device
	}
	c := s.begin(w, r, dev, method, kernel, op != nil)
	if c == nil {
		return nil, nil
	}
	if op == nil {
		c.fail(newError(remote.CodeUnknownOperation, "no operation %q on server %s (finished ones are kept %v after their end is reported)", clipString(r.PathValue("id")), s.name, keepDone))
		return nil, nil
	}
	return c, op
}

func (s *Server) handleWait(w http.ResponseWriter, r *http.Request) {
	c, op := s.beginOperation(w, r, "wait_operation", true)
	if c == nil {
		return
	}
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			c.fail(newError(remote.CodeBadArgument, "query parameter wait: %q is not a duration of at least 0 (such as 10s; at most %v is used)", clipString(v), remote.MaxWait))
			return
		}
		wait = min(d, remote.MaxWait)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-op.status.Done():
		case <-c.ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	c.reply(s.opState(op))
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	c, op := s.beginOperation(w, r, "cancel_operation", false)
	if c == nil {
		return
	}
	op.status.Cancel("cancelled by the client")
	<-op.status.Done()
	c.reply(s.opState(op))
}

// opState is what a client is told about op.
func (s *Server) opState(op *operation) remote.OperationState {
	st := remote.OperationState{ID: op.id}
	if !op.status.IsDone() {
		return st
	}
	st.Done = true
	s.ops.reported(op)
	if err := op.status.Err(); err != nil {
		st.Error = &remote.Error{Code: remote.CodeFailed, Message: err.Error(), Device: op.device}
	} else {
		st.Success = true
	}
	if fp := op.status.FinishPos(); fp != nil {
		if b, err := json.Marshal(fp); err == nil {
			st.FinishPos = b
		}
	}
	return st
}
