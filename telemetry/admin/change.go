package admin

import (
	"net/http"

	"github.com/sightline-dev/sightline/telemetry"
)

// change applies one validated change through Control, then persists it
// (with ?persist=1) and records it in the component's own log. key is the
// setting key (telemetry.Key*); field and value name what the request
// asked, for the error when Control refuses it.
//
// A refused change is not logged and not persisted. A change that was
// applied but could not be persisted is a 500 that says so.
func (h *Handler) change(c *call, key, field, value string, apply func() error) *Error {
	before, _ := c.ctl.Config()
	if err := apply(); err != nil {
		return controlProblem(c.name, field, value, err)
	}
	after, _ := c.ctl.Config()
	var failed *Error
	persisted := false
	if c.persist {
		if err := h.persister.SetProperties(c.r.Context(), c.name, telemetry.PropertiesFor(after, key)); err != nil {
			failed = apiError(http.StatusInternalServerError, "persist", "",
				"the change was applied but persisting it failed: "+err.Error(), nil)
		} else {
			persisted = true
		}
	}
	c.comp.Logger().InfoContext(c.r.Context(), "telemetry admin change",
		"remote", c.r.RemoteAddr, "component", c.name, "setting", key,
		"before", before.Value(key), "after", after.Value(key), "persisted", persisted)
	return failed
}
