package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultClientTimeout bounds each request of a Client made without
// WithHTTPClient.
const DefaultClientTimeout = 30 * time.Second

// maxResponse bounds the response bodies a Client reads.
const maxResponse = 8 << 20

// Client calls the admin API of one server. It is safe for concurrent use.
type Client struct {
	base  string // scheme://host:port
	token string
	hc    *http.Client
	// fromFile: without a token, changes read it from the token file of
	// runtimeDir ("" means RuntimeDir()) for base's port (WithRuntimeToken).
	fromFile   bool
	runtimeDir string
}

// ClientOption configures NewClient.
type ClientOption interface{ applyClient(*Client) }

type clientOption func(*Client)

func (f clientOption) applyClient(c *Client) { f(c) }

// WithClientToken sends token as "Authorization: Bearer TOKEN" with every
// request: every change needs it, and so do reads from another host.
func WithClientToken(token string) ClientOption {
	return clientOption(func(c *Client) { c.token = strings.TrimSpace(token) })
}

// WithRuntimeToken makes a client without WithClientToken read the token
// of each change from the token file the server published for the
// client's port in the runtime directory dir ("" means RuntimeDir(), read
// at each change): dir/admin-PORT.json. It is read only when the client's
// address is loopback (127.0.0.0/8, ::1, localhost), so a local token never
// goes to another host; a server run by another user keeps its file in
// that user's directory, out of reach. When the server refuses the change
// for its token, the *Error says which file was tried and why it failed.
func WithRuntimeToken(dir string) ClientOption {
	return clientOption(func(c *Client) { c.fromFile, c.runtimeDir = true, dir })
}

// WithHTTPClient makes requests with hc instead of a client with
// DefaultClientTimeout over http.DefaultTransport.
func WithHTTPClient(hc *http.Client) ClientOption {
	return clientOption(func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	})
}

// CallOption changes one mutating call.
type CallOption interface{ applyCall(*callOptions) }

type callOptions struct{ persist bool }

type callOption func(*callOptions)

func (f callOption) applyCall(o *callOptions) { f(o) }

// Persist also stores the change as the component's properties
// (?persist=1), so it survives a restart. The server refuses it when it
// has no property store, and then changes nothing.
func Persist() CallOption { return callOption(func(o *callOptions) { o.persist = true }) }

// NewClient returns a client for the admin API at addr: "host:port",
// "http://host:port" or "https://host:port".
func NewClient(addr string, opts ...ClientOption) (*Client, error) {
	base, err := parseBase(addr)
	if err != nil {
		return nil, fmt.Errorf("telemetry admin client: bad address %q: %w", addr, err)
	}
	c := &Client{base: base, hc: &http.Client{Timeout: DefaultClientTimeout}}
	for _, o := range opts {
		if o != nil {
			o.applyClient(c)
		}
	}
	return c, nil
}

// parseBase checks addr and returns scheme://host:port.
func parseBase(addr string) (string, error) {
	a := strings.TrimSpace(addr)
	if a == "" {
		return "", errors.New("empty address; want host:port or http(s)://host:port")
	}
	if !strings.Contains(a, "://") {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return "", fmt.Errorf("want host:port or http(s)://host:port: %w", err)
		}
		a = "http://" + a
	}
	u, err := url.Parse(a)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("scheme %q is not http or https", u.Scheme)
	case u.Hostname() == "":
		return "", errors.New("no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Path != "" && u.Path != "/":
		return "", errors.New("want only scheme, host and port, without user, path, query or fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
	}
	return u.Scheme + "://" + u.Host, nil
}

// CloseIdleConnections closes the idle connections of the client's HTTP
// client.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// do sends one request. comp "" means the component list; otherwise route
// is the part after the component's name. in, when not nil, is sent as
// JSON; a 200 response is decoded into out. Any other status is an *Error.
func (c *Client) do(ctx context.Context, method, comp, route string, in, out any, opts []CallOption) error {
	u := c.base + PathPrefix
	if route != "" {
		if comp == "" {
			return errors.New("telemetry admin: empty component name")
		}
		u += "/" + url.PathEscape(comp) + "/" + route
	}
	var o callOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyCall(&o)
		}
	}
	if o.persist {
		u += "?persist=1"
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("telemetry admin %s %s: encoding the request: %w", method, u, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("telemetry admin %s %s: %w", method, u, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	token, fromFile := c.token, ""
	if token == "" && c.fromFile && mutating(method) {
		token, fromFile = c.fileToken()
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("telemetry admin: %w", err) // *url.Error names the method and URL
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("telemetry admin %s %s: reading the response: %w", method, u, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := responseError(resp.StatusCode, b)
		if fromFile != "" && e.TokenRefused() {
			e.Message += "; " + fromFile
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("telemetry admin %s %s: decoding the response: %w", method, u, err)
		}
	}
	return nil
}

// responseError reads the JSON error body; a body that is not one (from a
// proxy, say) becomes the message, shortened.
func responseError(status int, body []byte) *Error {
	var e Error
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		text := strings.TrimSpace(string(body))
		if len(text) > 200 {
			text = text[:200] + "..."
		}
		msg := fmt.Sprintf("%d %s", status, http.StatusText(status))
		if text != "" {
			msg += ": " + text
		}
		e = Error{Message: msg}
	}
	e.StatusCode = status
	return &e
}

// fileToken reads the token of the server's token file (WithRuntimeToken).
// note says where it came from, or why there is none, for an error.
func (c *Client) fileToken() (token, note string) {
	u, err := url.Parse(c.base)
	if err != nil {
		return "", ""
	}
	if !isLoopbackHost(u.Hostname()) {
		return "", "no token given; token files are read only for loopback addresses"
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	path, err := TokenFile(c.runtimeDir, port)
	if err != nil {
		return "", "no token given and no token file: " + err.Error()
	}
	info, err := ReadTokenFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Sprintf("no token given, and the token file %s could not be read: %v; "+
			"is the server run by another user, or with another %s?", path, err, RuntimeDirEnv)
	}
	return info.Token, fmt.Sprintf("the token came from %s, written by pid %d; the file may be stale", path, info.PID)
}
