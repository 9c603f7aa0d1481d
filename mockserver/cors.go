package mockserver

import (
	"net/http"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/admin"
)

// vendorCORS lets browser apps on any origin call the faces, preflight
// included, as the vendors' APIs do for their storefronts. The faces
// authenticate with bearer tokens, never cookies, so no credentials are
// allowed: a page can only do what its own tokens let it.
func vendorCORS(next http.Handler) http.Handler {
	exposed := strings.Join([]string{"Allow", "WWW-Authenticate", "Location"}, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" || strings.HasPrefix(r.URL.Path, admin.Prefix) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", exposed)
		next.ServeHTTP(w, r)
	})
}
