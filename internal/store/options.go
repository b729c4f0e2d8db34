package store

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a Store. The zero value is valid: it keeps everything
// forever, uncapped, without fsync; DefaultOptions is what `sightline
// serve` uses.
type Options struct {
	// RetentionAge is how long data is kept, measured from now back to a
	// trace's end (all its spans) or a log record's time. Older data is
	// deleted by the retention goroutine, every minute. 0 keeps data
	// forever; otherwise at least one minute.
	RetentionAge time.Duration

	// RetentionBytes caps the bytes the database's pages hold (Stats.
	// UsedBytes). Past the cap the oldest traces (by start, with their
	// spans and logs) and the oldest logs are deleted until the data fits
	// in 90% of it. Freed pages are reused, so the file stops growing
	// near the cap but does not shrink; the WAL file adds up to a few MiB
	// while the store is open. 0 means no cap; otherwise at least 1 MiB.
	RetentionBytes int64

	// Fsync makes every commit wait until the data is on stable storage
	// (SQLite synchronous=FULL). Without it (synchronous=NORMAL in WAL
	// mode) a committed Append survives the process being killed but the
	// last commits may be lost if the machine loses power or crashes.
	Fsync bool

	// QueueLength bounds the batches waiting for the writer; Append
	// blocks (honouring its context) while the queue is full. 0 means
	// 64.
	QueueLength int

	// MaxTransactionItems caps the spans and log records the writer
	// commits in one transaction by grouping queued batches (a single
	// larger batch is still committed whole). 0 means 20,000.
	MaxTransactionItems int

	// OnError, when set, is called from the retention goroutine with the
	// error of a failed retention pass (the next pass retries). nil
	// ignores them.
	OnError func(error)

	// now is the clock, for tests; nil means time.Now.
	now func() time.Time
	// retentionHook, for tests, is called after each retention pass of
	// the background goroutine with its error.
	retentionHook func(error)
}

const (
	defaultQueueLength   = 64
	defaultMaxTxItems    = 20000
	minRetentionAge      = time.Minute
	minRetentionBytes    = 1 << 20
	retentionInterval    = time.Minute
	retentionLowWaterPct = 90
)

// DefaultOptions returns the options of `sightline serve`: 7 days of
// data, at most 1 GiB, no fsync.
func DefaultOptions() Options {
	return Options{RetentionAge: 7 * 24 * time.Hour, RetentionBytes: 1 << 30}
}

// Validate reports every invalid field, one per line.
func (o Options) Validate() error {
	var errs []error
	if o.RetentionAge < 0 {
		errs = append(errs, fmt.Errorf("store: retention age %v is negative (0 keeps data forever)", o.RetentionAge))
	} else if o.RetentionAge > 0 && o.RetentionAge < minRetentionAge {
		errs = append(errs, fmt.Errorf("store: retention age %v is less than %v (0 keeps data forever)", o.RetentionAge, minRetentionAge))
	}
	if o.RetentionBytes < 0 {
		errs = append(errs, fmt.Errorf("store: retention bytes %d is negative (0 means no cap)", o.RetentionBytes))
	} else if o.RetentionBytes > 0 && o.RetentionBytes < minRetentionBytes {
		errs = append(errs, fmt.Errorf("store: retention bytes %d is less than 1 MiB (0 means no cap)", o.RetentionBytes))
	}
	if o.QueueLength < 0 {
		errs = append(errs, fmt.Errorf("store: queue length %d is negative (0 means %d)", o.QueueLength, defaultQueueLength))
	}
	if o.MaxTransactionItems < 0 {
		errs = append(errs, fmt.Errorf("store: max transaction items %d is negative (0 means %d)", o.MaxTransactionItems, defaultMaxTxItems))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.QueueLength == 0 {
		o.QueueLength = defaultQueueLength
	}
	if o.MaxTransactionItems == 0 {
		o.MaxTransactionItems = defaultMaxTxItems
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}
