package otlp

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Defaults of [DefaultConfig].
const (
	DefaultGRPCAddr         = "127.0.0.1:4317"
	DefaultHTTPAddr         = "127.0.0.1:4318"
	DefaultMaxRequestBytes  = 16 << 20
	DefaultMaxInFlightItems = 100_000
	DefaultMaxInFlightBytes = 256 << 20
	DefaultMaxConnections   = 1024
	DefaultRetryAfter       = time.Second
)

// Bounds that [Config.Validate] enforces.
const (
	maxMaxRequestBytes  = 1 << 30
	maxMaxInFlightBytes = 1 << 40
	maxMaxConnections   = 1 << 20
	maxRetryAfter       = time.Hour
)

// Config configures a [Receiver]. Start from [DefaultConfig]: the zero
// Config is not valid (its limits are zero).
type Config struct {
	// GRPCAddr is the host:port OTLP/gRPC listens on; "" disables it.
	// The host is required: "127.0.0.1:4317" listens on loopback only,
	// "0.0.0.0:4317" or "[::]:4317" on every interface. ":4317" is refused
	// rather than silently widened to every interface. Port 0 picks a free
	// port ([Receiver.Addrs] tells which).
	GRPCAddr string
	// HTTPAddr is the host:port OTLP/HTTP listens on; "" disables it. Same
	// rules as GRPCAddr.
	HTTPAddr string
	// MaxRequestBytes caps one request: an HTTP body both as sent and after
	// decompression, and a gRPC message after decompression.
	MaxRequestBytes int64
	// MaxInFlightItems caps the spans and log records of requests that were
	// admitted but are not yet stored. A request that would go over it is
	// refused at once with a retryable status.
	MaxInFlightItems int
	// MaxInFlightBytes caps, across both transports, the bytes of the
	// requests being read, decoded or stored: each request holds its size
	// after decompression from the moment its body (HTTP) or message (gRPC)
	// starts to arrive until the sink returns. A request whose size is not
	// known yet (a gRPC message, a gzipped or chunked HTTP body) holds
	// MaxRequestBytes until it has been read. A request that does not fit
	// is refused at once with a retryable status (HTTP 429, gRPC
	// RESOURCE_EXHAUSTED with RetryInfo). It must be at least
	// MaxRequestBytes, so that every request can be admitted alone.
	MaxInFlightBytes int64
	// MaxConnections caps the connections open at once over both
	// listeners, idle keep-alive ones included. A connection past it is
	// closed as soon as it is accepted (counted in Stats.RefusedConnections).
	// Connections idle for two minutes are closed (HTTP keep-alive; gRPC
	// connections without an RPC, told to go away), and one that has not sent
	// its request headers (HTTP) or its HTTP/2 preface (gRPC) within 10 s is
	// closed, so idle peers cannot keep places for long.
	MaxConnections int
	// RetryAfter is the delay that refusals ask clients to wait before they
	// retry: gRPC RetryInfo, HTTP Retry-After (rounded up to whole seconds).
	RetryAfter time.Duration
}

// DefaultConfig returns the defaults: OTLP/gRPC on 127.0.0.1:4317, OTLP/HTTP
// on 127.0.0.1:4318 (loopback only), 16 MiB per request, 100,000 items and
// 256 MiB of requests in flight, 1024 connections, and a retry delay of one
// second.
func DefaultConfig() Config {
	return Config{
		GRPCAddr:         DefaultGRPCAddr,
		HTTPAddr:         DefaultHTTPAddr,
		MaxRequestBytes:  DefaultMaxRequestBytes,
		MaxInFlightItems: DefaultMaxInFlightItems,
		MaxInFlightBytes: DefaultMaxInFlightBytes,
		MaxConnections:   DefaultMaxConnections,
		RetryAfter:       DefaultRetryAfter,
	}
}

// Validate reports every invalid field of c, each error naming the field,
// its value and what is allowed.
func (c Config) Validate() error {
	var errs []error
	if err := validateAddr("GRPCAddr", c.GRPCAddr); err != nil {
		errs = append(errs, err)
	}
	if err := validateAddr("HTTPAddr", c.HTTPAddr); err != nil {
		errs = append(errs, err)
	}
	if c.GRPCAddr == "" && c.HTTPAddr == "" {
		errs = append(errs, errors.New(`otlp config: GRPCAddr and HTTPAddr are both "": set at least one`))
	}
	if c.GRPCAddr != "" && c.GRPCAddr == c.HTTPAddr && !hasZeroPort(c.GRPCAddr) {
		errs = append(errs, fmt.Errorf("otlp config: GRPCAddr and HTTPAddr are both %q: use two addresses", c.GRPCAddr))
	}
	if c.MaxRequestBytes <= 0 || c.MaxRequestBytes > maxMaxRequestBytes {
		errs = append(errs, fmt.Errorf("otlp config: MaxRequestBytes is %d: must be between 1 and %d (1 GiB)", c.MaxRequestBytes, maxMaxRequestBytes))
	}
	if c.MaxInFlightItems <= 0 {
		errs = append(errs, fmt.Errorf("otlp config: MaxInFlightItems is %d: must be at least 1", c.MaxInFlightItems))
	}
	if c.MaxInFlightBytes < max(c.MaxRequestBytes, 1) || c.MaxInFlightBytes > maxMaxInFlightBytes {
		errs = append(errs, fmt.Errorf("otlp config: MaxInFlightBytes is %d: must be at least MaxRequestBytes (%d) and at most %d (1 TiB)", c.MaxInFlightBytes, c.MaxRequestBytes, int64(maxMaxInFlightBytes)))
	}
	if c.MaxConnections < 1 || c.MaxConnections > maxMaxConnections {
		errs = append(errs, fmt.Errorf("otlp config: MaxConnections is %d: must be between 1 and %d", c.MaxConnections, maxMaxConnections))
	}
	if c.RetryAfter <= 0 || c.RetryAfter > maxRetryAfter {
		errs = append(errs, fmt.Errorf("otlp config: RetryAfter is %v: must be more than 0 and at most %v", c.RetryAfter, maxRetryAfter))
	}
	return errors.Join(errs...)
}

// validateAddr checks a listen address: "" (disabled) or host:port with an
// explicit host and a port in 0..65535.
func validateAddr(field, addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("otlp config: %s is %q: want host:port such as 127.0.0.1:4317, or \"\" to disable: %w", field, addr, err)
	}
	if host == "" {
		return fmt.Errorf("otlp config: %s is %q: the host is empty; write 127.0.0.1%s for loopback or 0.0.0.0%s for every interface", field, addr, addr, addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("otlp config: %s is %q: the port %q is not a number between 0 and 65535", field, addr, port)
	}
	return nil
}

// hasZeroPort reports whether addr asks for a free port, so that two equal
// addresses still bind two listeners.
func hasZeroPort(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && port == "0"
}

// retryAfterSeconds is RetryAfter as a Retry-After header value: whole
// seconds, rounded up, at least 1.
func (c Config) retryAfterSeconds() string {
	s := int64((c.RetryAfter + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
