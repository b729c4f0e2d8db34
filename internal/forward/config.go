package forward

import (
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/sampling"
)

// WhenFull is what Append does when the queue holds MaxBytes.
type WhenFull string

const (
	// Block refuses the append with ErrFull: the receiver answers its
	// sender 429 / RESOURCE_EXHAUSTED and the sender keeps the data and
	// retries. Nothing acknowledged is ever dropped, but senders back up
	// (and may drop on their side) while the upstream is away long enough
	// to fill the queue.
	Block WhenFull = "block"
	// DropOldest deletes whole oldest segments not yet forwarded to make
	// room, counting their records (Stats.Dropped.Full): the newest data
	// is kept and senders never wait, at the cost of the oldest data
	// acknowledged to them.
	DropOldest WhenFull = "drop-oldest"
)

// Defaults and bounds of the Config fields.
const (
	DefaultMaxBytes       = 2 * bytesize.GiB
	MinMaxBytes           = 16 * bytesize.MiB
	MaxMaxBytes           = bytesize.TiB
	DefaultSegmentBytes   = 16 * bytesize.MiB
	DefaultBatchBytes     = 4*bytesize.MiB - 64*bytesize.KiB
	DefaultTimeout        = 10 * time.Second
	DefaultBackoffInitial = 100 * time.Millisecond
	DefaultBackoffMax     = 5 * time.Second
)

// Config is what a [Forwarder] runs with: the queue directory and its
// bound, and the upstream. It is data from flags: start from
// [DefaultConfig], set Dir and URL; [Config.Validate] names the field, the
// value and what is allowed for every bad setting.
type Config struct {
	// Dir is the queue's directory, created 0700 if missing (`sightline
	// serve` uses <data>/forward). One Forwarder at a time may use it (a
	// second New fails). Required.
	Dir string
	// URL is the upstream: grpc://host:port (OTLP/gRPC, plaintext),
	// grpcs://host:port (TLS), or http://host[:port][/prefix] and
	// https://... (OTLP/HTTP protobuf, posted to prefix/v1/traces and
	// prefix/v1/logs). Userinfo (https://user:pass@host) is sent as basic
	// authentication and never shown. Required.
	URL string
	// Headers are sent with every request (gRPC metadata, keys in lower
	// case), for example {"authorization": "Bearer ..."}. Their values are
	// never logged, shown or put in errors. nil sends none.
	Headers map[string]string
	// CAFile is a PEM file of the certificate authorities trusted for a
	// grpcs or https upstream; "" trusts the system's. Only with TLS.
	CAFile string
	// Compression of requests: "none" or "gzip" (at gzip's best speed).
	// Default none: on a facility's network the CPU gzip takes on the
	// agent's host (10 to 18% more CPU per span at 20,000 spans/s, vs
	// 27 to 39% with gzip, docs/performance.md) matters more than the
	// bytes; gzip for a slow or metered link.
	Compression string
	// Timeout bounds one request to the upstream. More than 0; default
	// 10s.
	Timeout time.Duration
	// MaxBytes bounds the queue's files on disk, in bytes: 16MiB to 1TiB;
	// default 2GiB. WhenFull says what happens at the bound.
	MaxBytes int64
	// WhenFull is Block (the default) or DropOldest.
	WhenFull WhenFull
	// SegmentBytes is the size at which a segment file is closed and the
	// next one started (a larger record has one of its own): 64KiB to
	// 1GiB; default 16MiB. At most MaxBytes/8 is used, so that the bound
	// is kept by whole segments of a reasonable size.
	SegmentBytes int64
	// BatchBytes bounds the OTLP bytes of one request upstream made of
	// consecutive queued requests of a signal (one larger queued request
	// is sent alone): 1KiB to MaxRecordBytes; default 4MiB - 64KiB, under
	// the 4MiB a collector's gRPC receiver takes by default.
	BatchBytes int64
	// Fsync makes Append wait for the disk (and creating a segment and
	// saving the cursor too): an acknowledged request then survives a
	// power loss, not only the process being killed. Default off.
	Fsync bool
	// BackoffInitial is the wait before the first retry of a failed send;
	// it doubles up to BackoffMax, each wait varied by ±20%. An upstream's
	// Retry-After or RetryInfo replaces it. Both more than 0, BackoffMax
	// at least BackoffInitial; defaults 100ms and 5s (an agent on the facility's network notices a returning upstream within about 6 s).
	BackoffInitial time.Duration
	BackoffMax     time.Duration
	// Sampling, when set, forwards only the traces its policies keep,
	// each decided once complete (see package sampling); logs are
	// forwarded as they are. nil forwards everything.
	Sampling *sampling.Config
}

// DefaultConfig returns the defaults; Dir and URL are left to set.
func DefaultConfig() Config {
	return Config{
		Compression: "none", Timeout: DefaultTimeout,
		MaxBytes: DefaultMaxBytes, WhenFull: Block, SegmentBytes: DefaultSegmentBytes, BatchBytes: DefaultBatchBytes,
		BackoffInitial: DefaultBackoffInitial, BackoffMax: DefaultBackoffMax,
	}
}

// Validate reports every invalid setting, one per line, each naming its
// field, its value and what is allowed. It reads CAFile.
func (c Config) Validate() error {
	errs := c.validateQueue()
	if _, err := parseUpstream(c.URL); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, validateHeaders(c.Headers)...)
	if c.CAFile != "" {
		if u, err := parseUpstream(c.URL); err == nil && !u.tls {
			errs = append(errs, fmt.Errorf("Config.CAFile %q: only for a grpcs:// or https:// URL (the URL is %s)", c.CAFile, u.display))
		} else if _, err := loadCAFile(c.CAFile); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Compression != "gzip" && c.Compression != "none" {
		errs = append(errs, fmt.Errorf("Config.Compression %q: must be gzip or none", c.Compression))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("Config.Timeout %v: must be more than 0 (bounds one request to the upstream)", c.Timeout))
	}
	if c.BatchBytes < bytesize.KiB || c.BatchBytes > MaxRecordBytes {
		errs = append(errs, fmt.Errorf("Config.BatchBytes %s: must be between 1KiB and %s", bytesize.Exact(c.BatchBytes), bytesize.Exact(MaxRecordBytes)))
	}
	if c.BackoffInitial <= 0 || c.BackoffMax < c.BackoffInitial {
		errs = append(errs, fmt.Errorf("Config.BackoffInitial %v, Config.BackoffMax %v: both must be more than 0, BackoffMax at least BackoffInitial", c.BackoffInitial, c.BackoffMax))
	}
	if c.Sampling != nil {
		if err := c.Sampling.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Config.Sampling: %w", err))
		}
	}
	return errors.Join(errs...)
}

// validateQueue checks the queue's fields.
func (c Config) validateQueue() []error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New(`Config.Dir "": the queue directory is required`))
	}
	if c.MaxBytes < MinMaxBytes || c.MaxBytes > MaxMaxBytes {
		errs = append(errs, fmt.Errorf("Config.MaxBytes %s: must be between %s and %s", bytesize.Exact(c.MaxBytes), bytesize.Exact(MinMaxBytes), bytesize.Exact(MaxMaxBytes)))
	}
	if c.WhenFull != Block && c.WhenFull != DropOldest {
		errs = append(errs, fmt.Errorf("Config.WhenFull %q: must be %s or %s", c.WhenFull, Block, DropOldest))
	}
	if c.SegmentBytes < 64*bytesize.KiB || c.SegmentBytes > bytesize.GiB {
		errs = append(errs, fmt.Errorf("Config.SegmentBytes %s: must be between 64KiB and 1GiB", bytesize.Exact(c.SegmentBytes)))
	}
	return errs
}

// queueOptions is the queue's share of a valid c.
func (c Config) queueOptions() queueOptions {
	return queueOptions{
		dir: c.Dir, segmentBytes: min(c.SegmentBytes, c.MaxBytes/8), maxBytes: c.MaxBytes,
		dropOldest: c.WhenFull == DropOldest, fsync: c.Fsync,
	}
}
