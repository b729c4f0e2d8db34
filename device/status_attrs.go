package device

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/telemetry/attrs"
)

// attrBufs are the buffers the attributes of Status spans are built in,
// only for spans that record. SetAttributes copies what it gets (the SDK
// appends it to the span's own slice), so a buffer serves span after span
// and a Status costs no attribute slice of its own.
var attrBufs = sync.Pool{New: func() any {
	b := make([]attribute.KeyValue, 0, 16) // the most a Status span gets at once: 14
	return &b
}}

func getAttrBuf() *[]attribute.KeyValue { return attrBufs.Get().(*[]attribute.KeyValue) }

// putAttrBuf empties buf (it keeps no value alive) and returns it.
func putAttrBuf(buf *[]attribute.KeyValue) {
	clear(*buf)
	*buf = (*buf)[:0]
	attrBufs.Put(buf)
}

// appendStartAttrs appends the attributes of a Status span set at its
// start (with Ophyd's under NamingBluesky), start_time being now.
func (c *statusConfig) appendStartAttrs(kv []attribute.KeyValue, bluesky bool) []attribute.KeyValue {
	kv = append(kv, attribute.String("status_type", c.typ),
		attribute.Float64("settle_time", c.settleTime.Seconds()),
		attribute.Float64("start_time", unixSeconds(time.Now())))
	if c.device != nil {
		kv = append(kv, attribute.String("device_name", c.device.Name()), attribute.String("device_type", TypeOf(c.device)))
	}
	if bluesky {
		kv = c.ophydAttrs(kv)
	}
	if c.timeout > 0 {
		kv = append(kv, attribute.Float64("timeout", c.timeout.Seconds()))
	} else {
		kv = append(kv, attribute.Bool("no_timeout_given", true))
	}
	if c.target != nil {
		kv = append(kv, attrs.Value("target", c.target))
	}
	if c.startPos != nil {
		kv = append(kv, attrs.Value("start_pos", c.startPos))
	}
	if c.unit != "" {
		kv = append(kv, attribute.String("unit", c.unit))
	}
	return kv
}

// appendFinishAttrs appends the attributes of a Status span set when it
// completes with err, finish_time being now.
func appendFinishAttrs(kv []attribute.KeyValue, err error, finishPos any) []attribute.KeyValue {
	kv = append(kv, attribute.Float64("finish_time", unixSeconds(time.Now())), attribute.Bool("success", err == nil))
	if finishPos != nil {
		kv = append(kv, attrs.Value("finish_pos", finishPos))
	}
	return kv
}
