package otlpjson

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
)

// resourceKey identifies a resource for grouping: its attribute set and its
// schema URL. (The SDK's exporters key on the attribute set alone, which
// merges equal attribute sets under different schema URLs; keeping the URL
// in the key avoids silently dropping one of them.)
type resourceKey struct {
	attrs     attribute.Distinct
	schemaURL string
}

// scopeKey identifies an instrumentation scope within a resource. Scope
// attributes are keyed by their Distinct, as the attribute package
// recommends over comparing Sets.
type scopeKey struct {
	res       resourceKey
	name      string
	version   string
	schemaURL string
	attrs     attribute.Distinct
}

// groupKeys returns the grouping keys of an item with resource res (which
// may be nil) and instrumentation scope s.
func groupKeys(res *resource.Resource, s instrumentation.Scope) (resourceKey, scopeKey) {
	rk := resourceKey{attrs: res.Equivalent(), schemaURL: res.SchemaURL()}
	return rk, scopeKey{
		res:       rk,
		name:      s.Name,
		version:   s.Version,
		schemaURL: s.SchemaURL,
		attrs:     s.Attributes.Equivalent(),
	}
}
