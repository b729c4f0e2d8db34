package importer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxCachedResources bounds the resource cache; it is emptied when full.
const maxCachedResources = 64

// resourceInfo is a converted console resource.
type resourceInfo struct {
	res       pcommon.Resource
	schemaURL string
}

// resourceCache converts each distinct console resource once: a file
// repeats the same few resources on every record. Resources are told apart
// by their JSON without whitespace, so that pretty-printed and compact
// records with the same resource share it.
type resourceCache struct {
	m   map[string]resourceInfo
	key bytes.Buffer
	// The last resource looked up, as written: consecutive records almost
	// always repeat it byte for byte, which is cheaper to check than to
	// compact.
	lastRaw  []byte
	lastInfo resourceInfo
	lastOK   bool
}

// get returns the resource raw describes and its key, which is valid until
// the next call.
func (c *resourceCache) get(raw []byte) (resourceInfo, []byte, error) {
	if c.lastOK && bytes.Equal(raw, c.lastRaw) {
		return c.lastInfo, c.key.Bytes(), nil
	}
	ri, key, err := c.lookup(raw)
	c.lastRaw, c.lastInfo, c.lastOK = append(c.lastRaw[:0], raw...), ri, err == nil
	return ri, key, err
}

// lookup finds or converts the resource raw describes.
func (c *resourceCache) lookup(raw []byte) (resourceInfo, []byte, error) {
	c.key.Reset()
	if json.Compact(&c.key, raw) != nil {
		c.key.Reset()
		c.key.Write(raw)
	}
	key := c.key.Bytes()
	if ri, ok := c.m[string(key)]; ok {
		return ri, key, nil
	}
	ri, err := parseResource(raw)
	if err != nil {
		return ri, nil, fmt.Errorf("resource: %w", err)
	}
	if c.m == nil || len(c.m) >= maxCachedResources {
		c.m = make(map[string]resourceInfo)
	}
	c.m[string(key)] = ri
	return ri, key, nil
}

// parseResource reads {"attributes": {...}, "schema_url": "..."}. Older
// Python releases wrote a log record's resource as that object's JSON in a
// string, which is accepted too. Absent or null is the empty resource.
func parseResource(raw []byte) (resourceInfo, error) {
	ri := resourceInfo{res: pcommon.NewResource()}
	if isNull(raw) {
		return ri, nil
	}
	if kindOf(raw) == "a string" {
		s, err := stringValue(raw)
		if err != nil {
			return ri, err
		}
		if !json.Valid([]byte(s)) {
			return ri, fmt.Errorf("want an object, got a string that is not JSON")
		}
		raw = []byte(s)
	}
	s := scanner{b: raw}
	if s.peek() != '{' {
		return ri, typeError("an object", raw)
	}
	err := s.objectEach(func(key []byte) error {
		v, err := s.value()
		if err != nil {
			return err
		}
		switch string(key) {
		case "attributes":
			if err := putAttributes(ri.res.Attributes(), v); err != nil {
				return fmt.Errorf("attributes: %w", err)
			}
		case "schema_url":
			if ri.schemaURL, err = optString(v); err != nil {
				return fmt.Errorf("schema_url: %w", err)
			}
		}
		return nil
	})
	return ri, err
}
