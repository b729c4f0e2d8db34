package store

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a Store. The zero value is valid: it keeps data
// forever, with no cap on the file's size, without fsync, and with the
// default ingest limits (a zero limit means its default);
// DefaultOptions is what `sightline serve` uses.
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

	// MaxAttributes caps the attributes kept per map: those of a span, a
	// span event, a link, a resource, a scope or a log record, and the
	// entries of a key-value list nested in a value or a log body. The
	// first MaxAttributes, in the order received, are kept; the rest are
	// dropped, added to the item's dropped attributes count (the span's,
	// event's, link's, resource's, scope's or log record's; entries of a
	// nested list count for the item holding it), as the OpenTelemetry
	// SDKs' span limits do, and counted in Stats.DroppedAttributes.
	// Arrays keep all their elements: the receiver's request size bounds
	// them. 0 means 1024.
	MaxAttributes int

	// MaxValueBytes caps the bytes of one string or bytes value anywhere
	// in an attribute value or a log body, nested in arrays and lists
	// too. A longer string is cut to at most MaxValueBytes at a UTF-8
	// character boundary, a bytes value to MaxValueBytes; each cut counts
	// in Stats.TruncatedValues. Keys, names and messages are not cut (the
	// request size bounds them). 0 means 65536 (64 KiB); at most 64 MiB.
	MaxValueBytes int

	// MaxEvents caps the events kept per span: the first MaxEvents; the
	// rest are dropped, added to the span's dropped events count and
	// counted in Stats.DroppedEvents. 0 means 1024.
	MaxEvents int

	// MaxLinks caps the links kept per span, like MaxEvents (counted in
	// Stats.DroppedLinks). 0 means 1024.
	MaxLinks int

	// MaxAnnouncementBytes caps the body of one announcement (a log
	// record saying a span is open or has ended, announce.go), in bytes
	// as received: a larger one is rejected before it is decoded. 0 means
	// 1 MiB; at most 64 MiB.
	MaxAnnouncementBytes int

	// OnError, when set, is called from the retention goroutine with the
	// error of a failed retention pass (the next pass retries). nil
	// ignores them.
	OnError func(error)
}

const (
	defaultQueueLength   = 64
	defaultMaxTxItems    = 20000
	minRetentionAge      = time.Minute
	minRetentionBytes    = 1 << 20
	retentionInterval    = time.Minute
	retentionLowWaterPct = 90

	defaultMaxAttributes = 1024
	defaultMaxValueBytes = 64 << 10
	defaultMaxEvents     = 1024
	defaultMaxLinks      = 1024

	defaultMaxAnnouncementBytes = 1 << 20
)

// DefaultOptions returns the options of `sightline serve`: 7 days of
// data, at most 1 GiB, no fsync; at most 1024 attributes per map, 64 KiB
// per string or bytes value, 1024 events and 1024 links per span, 1 MiB
// per announcement body.
func DefaultOptions() Options {
	return Options{
		RetentionAge: 7 * 24 * time.Hour, RetentionBytes: 1 << 30,
		MaxAttributes: defaultMaxAttributes, MaxValueBytes: defaultMaxValueBytes,
		MaxEvents: defaultMaxEvents, MaxLinks: defaultMaxLinks, MaxAnnouncementBytes: defaultMaxAnnouncementBytes,
	}
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
	for _, l := range []struct {
		name string
		v    int
		def  int
	}{
		{"max attributes", o.MaxAttributes, defaultMaxAttributes}, {"max value bytes", o.MaxValueBytes, defaultMaxValueBytes},
		{"max events", o.MaxEvents, defaultMaxEvents}, {"max links", o.MaxLinks, defaultMaxLinks},
		{"max announcement bytes", o.MaxAnnouncementBytes, defaultMaxAnnouncementBytes},
	} {
		if l.v < 0 {
			errs = append(errs, fmt.Errorf("store: %s %d is negative (0 means %d)", l.name, l.v, l.def))
		}
	}
	if o.MaxAnnouncementBytes > maxPayload {
		errs = append(errs, fmt.Errorf("store: max announcement bytes %d is more than %d (64 MiB)", o.MaxAnnouncementBytes, maxPayload))
	}
	if o.MaxValueBytes > maxPayload {
		errs = append(errs, fmt.Errorf("store: max value bytes %d is more than %d (64 MiB, the largest payload the store reads back)", o.MaxValueBytes, maxPayload))
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
	if o.MaxAttributes == 0 {
		o.MaxAttributes = defaultMaxAttributes
	}
	if o.MaxValueBytes == 0 {
		o.MaxValueBytes = defaultMaxValueBytes
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = defaultMaxEvents
	}
	if o.MaxLinks == 0 {
		o.MaxLinks = defaultMaxLinks
	}
	if o.MaxAnnouncementBytes == 0 {
		o.MaxAnnouncementBytes = defaultMaxAnnouncementBytes
	}
	return o
}
