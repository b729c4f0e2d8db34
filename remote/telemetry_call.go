package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// adminError is the error body of the telemetry admin API.
type adminError struct {
	Message string   `json:"error"`
	Field   string   `json:"field"`
	Value   string   `json:"value"`
	Allowed []string `json:"allowed"`
}

// adminCall makes one request to the device's telemetry admin route,
// with the admin token (adminToken) and the proxy's identity headers and
// deadline. body (if not nil) is sent as JSON; a 200 answer is decoded
// into out (if not nil); any other is an *Error.
func (p *Proxy) adminCall(ctx context.Context, method, device, route string, body, out any, opts []TelemetryOption) error {
	if p.follow.Err() != nil {
		return &Error{Code: CodeUnreachable, Device: device, Message: errClosed.Error(), Err: errClosed}
	}
	var o telemetryCall
	for _, opt := range opts {
		if opt != nil {
			opt.applyTelemetry(&o)
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	path := adminPath(device, route)
	if o.persist {
		path += "?persist=1"
	}
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &Error{Code: CodeBadArgument, Device: device, Message: fmt.Sprintf("telemetry %s: encode the request: %v", route, err), Err: err}
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, payload)
	if err != nil {
		return &Error{Code: CodeBadArgument, Device: device, Message: fmt.Sprintf("telemetry %s: build the request: %v", route, err), Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range p.idHeaders {
		req.Header[k] = v
	}
	token, note := p.adminToken()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		e := transportError(ctx, err, p.base).(*Error)
		e.Device = device
		return e
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	_ = resp.Body.Close()
	if rerr != nil {
		e := transportError(ctx, rerr, p.base).(*Error)
		e.Device = device
		return e
	}
	if resp.StatusCode != http.StatusOK {
		return adminFailure(device, route, resp.StatusCode, data, note)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Code: CodeBadResponse, Device: device, HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("telemetry %s: decode %s: %v", route, clip(data), err), Err: err}
	}
	return nil
}

// adminFailure turns a refusal of the telemetry admin API into an *Error
// whose message is the server's, with what is allowed; note (why no token
// was sent) is added to an authorization refusal.
func adminFailure(device, route string, status int, data []byte, note string) *Error {
	var ae adminError
	if err := json.Unmarshal(data, &ae); err != nil || ae.Message == "" {
		return &Error{Code: CodeBadResponse, Device: device, HTTPStatus: status,
			Message: fmt.Sprintf("telemetry %s: HTTP %d without an admin error body: %s", route, status, clip(data))}
	}
	msg := ae.Message
	if len(ae.Allowed) > 0 {
		msg += " (allowed: " + strings.Join(ae.Allowed, ", ") + ")"
	}
	code := CodeFailed
	switch status {
	case http.StatusNotFound:
		code = CodeUnknownDevice
		msg += "; a device's telemetry answers while the device runs"
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
		code = CodeBadArgument
	case http.StatusUnauthorized, http.StatusForbidden:
		code = CodeNotAuthorized
		if note != "" {
			msg += "; " + note
		}
	case http.StatusServiceUnavailable:
		code = CodeShutdown
	}
	return &Error{Code: code, Device: device, HTTPStatus: status, Message: msg}
}
