package importer

import (
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/internal/jsondepth"
)

// MaxDepth is how deeply a record may nest objects and arrays: the bound
// the OTLP receivers put on OTLP-JSON requests (jsondepth.OTLP), which
// every request that OTLP/protobuf accepts meets. It applies to console
// records too, whose values the importer builds by recursion.
const MaxDepth = jsondepth.OTLP

// jsonMaxDepth is the nesting at which encoding/json's decoder, which
// splits the input into records, gives up on a record itself.
const jsonMaxDepth = 10000

// tooDeep returns why a record nests deeper than MaxDepth, or "" if it
// does not. The check reads the record once and allocates nothing, before
// anything recursive sees it.
func tooDeep(raw []byte) string {
	err := jsondepth.Check(raw, MaxDepth)
	if err == nil {
		return ""
	}
	var de *jsondepth.Error
	if !errors.As(err, &de) {
		return err.Error()
	}
	return fmt.Sprintf("record nests deeper than the limit of %d levels of objects and arrays (level %d opens at byte %d of the record)", de.Limit, de.Limit+1, de.Offset)
}
