package accounts

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// Greedbag serves many retailers (shops) from one API and tells them apart
// by the request's Origin header, "the origin greedbag shop domain"
// (api.greedbag.com/docs/departments). Here a retailer is a tenant of the
// face, named, with the origins of its client applications; customers,
// tokens, codes and mail belong to one retailer.

// DefaultRetailer is the retailer a request without an Origin header (curl,
// a server-side client) addresses.
const DefaultRetailer = "default"

// DefaultOrigin is the default retailer's origin until a seed registers
// others for it; its activation and e-mail change links point there.
const DefaultOrigin = "https://accounts.doppel.test"

// retailer is one retailer: its name (the store's tenant) and its origins,
// the first of which its mails link to.
type retailer struct {
	name    string
	origins []string
}

// scope is the retailer a request addresses, the origin it came from (the
// retailer's first when it sent none), and the caller's token on routes
// that require one.
type scope struct {
	retailer
	origin string
	token  *store.Token
}

// lookupRetailer returns a retailer by name; the default retailer always exists.
func lookupRetailer(tx *identity.Tx, name string) (retailer, bool) {
	t := tx.Tenant(API, name)
	r := retailer{name: name, origins: slices.Clone(t.Origins)}
	if name == DefaultRetailer && len(r.origins) == 0 {
		r.origins = []string{DefaultOrigin}
	}
	return r, len(r.origins) > 0
}

// retailerOf returns the retailer an origin (normalised) belongs to.
func retailerOf(tx *identity.Tx, origin string) (retailer, bool) {
	if def, _ := lookupRetailer(tx, DefaultRetailer); slices.Contains(def.origins, origin) {
		return def, true
	}
	for _, t := range tx.Tenants(API) {
		if slices.Contains(t.Origins, origin) {
			return retailer{name: t.Name, origins: slices.Clone(t.Origins)}, true
		}
	}
	return retailer{}, false
}

// resolve finds the retailer of a request by its Origin header.
func (f *Face) resolve(r *http.Request) (s *scope, err error) {
	err = f.id.Read(func(tx *identity.Tx) (err error) {
		s, err = resolveIn(tx, r.Header.Get("Origin"))
		return err
	})
	return s, err
}

// resolveIn finds the retailer of an Origin header ("" when none) in a
// transaction.
func resolveIn(tx *identity.Tx, header string) (*scope, error) {
	if header == "" {
		def, _ := lookupRetailer(tx, DefaultRetailer)
		return &scope{retailer: def, origin: def.origins[0]}, nil
	}
	origin, ok := normalizeOrigin(header)
	if !ok {
		return nil, errOrigin(header)
	}
	ret, ok := retailerOf(tx, origin)
	if !ok {
		return nil, errOrigin(header)
	}
	return &scope{retailer: ret, origin: origin}, nil
}

// normalizeOrigin returns an origin as browsers send it — "scheme://host",
// with ":port" unless it is the scheme's default — in lower case; false
// for anything but an http(s) origin (a trailing "/" is tolerated).
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if port := u.Port(); port != "" && !(port == "80" && u.Scheme == "http" || port == "443" && u.Scheme == "https") {
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}

// resetBase resolves a reset_uri against the request's origin; false when
// it is not a page of the retailer's own client application (an http(s)
// URL on one of its origins).
func resetBase(s *scope, ref string) (*url.URL, bool) {
	base, err := url.Parse(s.origin + "/")
	if err != nil {
		return nil, false
	}
	r, err := url.Parse(ref)
	if err != nil {
		return nil, false
	}
	u := base.ResolveReference(r)
	origin, ok := normalizeOrigin(u.Scheme + "://" + u.Host)
	return u, ok && u.User == nil && slices.Contains(s.origins, origin)
}

// resetLink is the link of a reset mail: the resolved reset_uri with the
// code as one more path segment and the e-mail added to its query (after
// any query it has, before its fragment).
func resetLink(base *url.URL, email, code string) string {
	u := base.JoinPath(code)
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "email=" + url.QueryEscape(email)
	return u.String()
}
