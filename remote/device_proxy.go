package remote

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// DeviceProxy calls one device on a server. Every call has a deadline (its
// context's, or the proxy's default) and fails with an *Error carrying the
// server's message; errors.Is matches the Err* sentinels.
type DeviceProxy struct {
	p    *Proxy
	name string
}

// Name is the device's name.
func (d *DeviceProxy) Name() string { return d.name }

// Ping checks that the device runs and returns the round-trip time.
func (d *DeviceProxy) Ping(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	var out PingResponse
	if err := d.p.call(ctx, d.name, "ping", http.MethodGet, devicePath(d.name)+"/ping", nil, &out, false); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// Info describes the device: class, state, commands and attributes. A
// stopped device answers too, with state OFF.
func (d *DeviceProxy) Info(ctx context.Context) (DeviceInfo, error) {
	var out DeviceInfo
	err := d.p.call(ctx, d.name, "info", http.MethodGet, devicePath(d.name), nil, &out, false)
	return out, err
}

// Command runs a command with argin (nil for none) and decodes its result
// into argout (a pointer, or nil to ignore it).
func (d *DeviceProxy) Command(ctx context.Context, name string, argin, argout any) error {
	req, err := commandBody(argin)
	if err != nil {
		return err
	}
	var resp CommandResponse
	if err := d.p.call(ctx, d.name, name, http.MethodPost, commandPath(d.name, name), req, &resp, false); err != nil {
		return err
	}
	if argout == nil || len(resp.Argout) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Argout, argout); err != nil {
		return &Error{Code: CodeBadResponse, Device: d.name, Command: name,
			Message: "decode the result of " + name + ": " + err.Error(), Err: err}
	}
	return nil
}

func commandBody(argin any) (CommandRequest, error) {
	if argin == nil {
		return CommandRequest{}, nil
	}
	b, err := json.Marshal(argin)
	if err != nil {
		return CommandRequest{}, &Error{Code: CodeBadArgument, Message: "encode argin: " + err.Error(), Err: err}
	}
	return CommandRequest{Argin: b}, nil
}

// ReadAttribute reads an attribute: value, quality and time.
func (d *DeviceProxy) ReadAttribute(ctx context.Context, name string) (AttributeValue, error) {
	var out AttributeValue
	err := d.p.call(ctx, d.name, "read_"+name, http.MethodGet, attributePath(d.name, name), nil, &out, false)
	return out, err
}

// WriteAttribute writes value to an attribute.
func (d *DeviceProxy) WriteAttribute(ctx context.Context, name string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return &Error{Code: CodeBadArgument, Message: "encode the value of " + name + ": " + err.Error(), Err: err}
	}
	return d.p.call(ctx, d.name, "write_"+name, http.MethodPut, attributePath(d.name, name), WriteRequest{Value: b}, nil, false)
}
