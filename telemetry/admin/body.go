package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/internal/httpjson"
)

// readBody reads the request body as exactly one JSON object into v. The
// Content-Type must be JSON (or absent), the body at most maxBody bytes,
// and every field known (fields lists them, for the error); example shows
// the expected shape when the body is empty.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, v any, example string, fields []string) *Error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		cs, hasCharset := params["charset"]
		if err != nil || mt != "application/json" || hasCharset && !strings.EqualFold(cs, "utf-8") {
			return apiError(http.StatusUnsupportedMediaType, "Content-Type", ct,
				fmt.Sprintf("Content-Type %q is not JSON", ct), []string{"application/json", "application/json; charset=utf-8"})
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apiError(http.StatusRequestEntityTooLarge, "", "",
				fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit), nil)
		}
		return apiError(http.StatusBadRequest, "", "", "reading the request body: "+err.Error(), nil)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return apiError(http.StatusBadRequest, "", "", "request body is empty; want a JSON object like "+example, nil)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err, fields)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiError(http.StatusBadRequest, "", "", "unexpected data after the JSON object", nil)
	}
	return nil
}

// jsonProblem describes a decoding error, naming the field when it can.
func jsonProblem(err error, fields []string) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apiError(http.StatusBadRequest, "", "",
			fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, err), nil)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apiError(http.StatusBadRequest, "", "", "malformed JSON: the body ends inside a value", nil)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apiError(http.StatusBadRequest, "", "", "want a JSON object, got "+typ.Value, nil)
		}
		return apiError(http.StatusBadRequest, typ.Field, "",
			fmt.Sprintf("%s: want %s, got %s", typ.Field, typeName(typ.Type), typ.Value), nil)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if u, uerr := strconv.Unquote(name); uerr == nil {
			name = u
		}
		return apiError(http.StatusBadRequest, name, "", fmt.Sprintf("unknown field %q", name), fields)
	}
	return apiError(http.StatusBadRequest, "", "", "malformed JSON: "+err.Error(), nil)
}

// typeName says in words what JSON a Go type takes.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	httpjson.Write(w, status, v)
}

// writeError writes e as the JSON error body with its status code.
func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.StatusCode, e)
}
