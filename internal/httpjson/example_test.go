package httpjson_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/sightline-dev/sightline/internal/httpjson"
)

func Example() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("id") == "" {
			httpjson.Write(w, http.StatusBadRequest, httpjson.Error{Message: "id: required"})
			return
		}
		httpjson.Write(w, http.StatusOK, map[string]string{"id": r.URL.Query().Get("id")})
	})
	for _, url := range []string{"/scan?id=7", "/scan"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		fmt.Print(rec.Code, " ", rec.Header().Get("Content-Type"), " ", rec.Body.String())
	}
	// Output:
	// 200 application/json {"id":"7"}
	// 400 application/json {"error":"id: required"}
}
