package admin

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Options protect the admin API (/__doppel/) from web pages and from
// whoever else reaches the port. The vendor paths are not affected.
type Options struct {
	// Off answers 404 on every /__doppel/ path, as on any unknown path, and
	// ignores the X-Doppel-Fault header: a vendor-like target (doppel serve
	// --admin=false).
	Off bool
	// Token, when set, must come as "Authorization: Bearer <Token>" with
	// every admin call but GET /__doppel/health and the dashboard's files.
	Token string
	// Origins are the origins (scheme://host[:port]) whose pages may call the
	// admin API; any other cross-origin request is refused.
	Origins []string
	// Hosts are the host names the admin API answers besides loopback names
	// (localhost, *.localhost) and IP addresses: a Host header naming
	// another is refused, which defeats DNS rebinding.
	Hosts []string
}

// Header marks an admin request as sent by a program, not a web form:
// a request that changes something carries it or a JSON content type.
const Header = "X-Doppel-Admin"

// Guard refuses admin requests a hostile page or a stranger could send,
// and answers the CORS preflights of the allowed origins.
func Guard(opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix) {
			next.ServeHTTP(w, r)
			return
		}
		if opts.Off {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store") // secrets: no cache keeps them
		h.Set("X-Content-Type-Options", "nosniff")
		if !allowedHost(r.Host, opts.Hosts) {
			Error(w, http.StatusForbidden, fmt.Sprintf("the admin API does not answer for host %q (allow a host name with --admin-host)", r.Host))
			return
		}
		origin := r.Header.Get("Origin")
		if origin != "" && !sameOrigin(origin, r.Host) {
			if !slices.Contains(opts.Origins, origin) {
				Error(w, http.StatusForbidden, fmt.Sprintf("cross-origin admin request from %q refused (allow an origin with --admin-origin)", origin))
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+Header)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", "X-Total-Count")
		}
		if opts.Token != "" && !tokenFree(r) && !validToken(r, opts.Token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="doppel admin"`)
			Error(w, http.StatusUnauthorized, "the admin API needs its token: Authorization: Bearer <token> (doppel serve --admin-token)")
			return
		}
		if changes(r.Method) && !programmatic(r) {
			Error(w, http.StatusForbidden, "an admin request that changes something needs Content-Type: application/json or an "+
				Header+" header, which no web form can send")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenFree reports whether a request may go without the admin token:
// health (for readiness probes) and the dashboard's own files, which hold no
// state; the page asks for the token itself.
func tokenFree(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p == Prefix+"health" || p == Prefix || strings.HasPrefix(p, Prefix+"ui/")
}

func validToken(r *http.Request, token string) bool {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(token)) == 1
}

func changes(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// programmatic reports whether a request could not have come from an HTML
// form or a simple cross-site request: it has a JSON content type, the
// Header or an Authorization header.
func programmatic(r *http.Request) bool {
	if r.Header.Get(Header) != "" || r.Header.Get("Authorization") != "" {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// sameOrigin reports whether origin names the host the request was sent to
// (a page served by doppel itself, e.g. the dashboard), whatever the scheme:
// a proxy may terminate TLS in front of it.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, host)
}

// allowedHost reports whether the admin API answers for a Host header: an IP
// address (a DNS name cannot be rebound to it), localhost or a name under
// .localhost (which browsers resolve to loopback themselves), or one of
// names.
func allowedHost(hostport string, names []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSuffix(n, "."), host) })
}
