package mockserver

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

//go:embed dashboard
var dashboardFiles embed.FS

// DefaultCustomerLimit is how many customers GET /__doppel/customers lists
// when no limit is given.
const DefaultCustomerLimit = 200

// dashboardPolicy lets the dashboard load nothing but its own files and
// call nothing but the mock.
const dashboardPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// customerPage is GET /__doppel/customers.
type customerPage struct {
	Total     int            `json:"total"` // customers selected
	Tenants   []tenantCount  `json:"tenants"`
	Customers []customerView `json:"customers"` // the newest, newest first
}

type tenantCount struct {
	API       string `json:"api"`
	Tenant    string `json:"tenant"`
	Customers int    `json:"customers"`
}

// customerView is a customer as the admin API shows it: with its logins,
// addresses and live tokens.
type customerView struct {
	API       string         `json:"api"`
	Tenant    string         `json:"tenant"`
	Number    string         `json:"number"`
	Active    bool           `json:"active"`
	Version   int            `json:"version"`
	Created   time.Time      `json:"created"`
	LastSeen  time.Time      `json:"lastSeen,omitzero"`
	Profile   map[string]any `json:"profile"`
	Logins    []loginView    `json:"logins"`
	Addresses []addressView  `json:"addresses"`
	Tokens    []tokenView    `json:"tokens"`
}

type loginView struct {
	Email    string    `json:"email"`
	Role     string    `json:"role,omitempty"`
	Password bool      `json:"password"` // whether it logs in with a password
	Created  time.Time `json:"created"`
}

type addressView struct {
	ID      string         `json:"id"`
	Default bool           `json:"default"`
	Tags    []string       `json:"tags,omitempty"`
	Fields  map[string]any `json:"fields"`
}

type tokenView struct {
	Kind    string    `json:"kind"`
	Value   string    `json:"value"`
	Session string    `json:"session,omitempty"`
	Client  string    `json:"client,omitempty"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
}

// mountDashboard serves the dashboard page at /__doppel/, its files under
// /__doppel/ui/, and the customer listing it shows.
func (s *Server) mountDashboard(mux *http.ServeMux) {
	files, err := fs.Sub(dashboardFiles, "dashboard")
	if err != nil {
		panic("mockserver: " + err.Error()) // the embedded directory is fixed at compile time
	}
	serve := func(w http.ResponseWriter, r *http.Request, name string) {
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() {
			admin.Error(w, http.StatusNotFound, "no dashboard file "+strconv.Quote(name))
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", dashboardPolicy)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeFileFS(w, r, files, name)
	}
	mux.HandleFunc("GET /__doppel/{$}", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "index.html") })
	mux.HandleFunc("GET /__doppel/ui/{file}", func(w http.ResponseWriter, r *http.Request) {
		if name := r.PathValue("file"); name != "index.html" {
			serve(w, r, name)
			return
		}
		admin.Error(w, http.StatusNotFound, "the dashboard is at "+admin.Prefix)
	})
	mux.HandleFunc("GET /__doppel/customers", func(w http.ResponseWriter, r *http.Request) {
		f, limit, err := s.customerQuery(r)
		if err != nil {
			admin.Error(w, http.StatusBadRequest, "customers: "+err.Error())
			return
		}
		var page customerPage
		_ = s.ID.Read(func(tx *identity.Tx) error {
			page = customers(tx, f, limit)
			return nil
		})
		face.WriteJSON(w, http.StatusOK, page)
	})
}

// customerQuery reads GET /__doppel/customers' parameters: api, tenant, limit.
func (s *Server) customerQuery(r *http.Request) (identity.CustomerFilter, int, error) {
	var f identity.CustomerFilter
	limit := DefaultCustomerLimit
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "api":
			if !slices.Contains(s.faceNames(), v) {
				return f, 0, errUnknownAPI(v, s.faceNames())
			}
			f.API = v
		case "tenant":
			f.Tenant = v
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return f, 0, fmt.Errorf("limit %q is not a positive number", v)
			}
			limit = n
		default:
			return f, 0, fmt.Errorf("unknown parameter %q; filter by api, tenant, limit", key)
		}
	}
	return f, limit, nil
}

// customers lists the newest customers f selects with their logins,
// addresses and live tokens.
func customers(tx *identity.Tx, f identity.CustomerFilter, limit int) customerPage {
	cs, counts := tx.NewestCustomers(f, limit)
	page := customerPage{Tenants: make([]tenantCount, len(counts)), Customers: make([]customerView, len(cs))}
	for i, n := range counts {
		page.Tenants[i] = tenantCount{API: n.API, Tenant: n.Tenant, Customers: n.Customers}
		page.Total += n.Customers
	}
	for i, c := range cs {
		v := customerView{API: c.API, Tenant: c.Tenant, Number: c.Number, Active: c.Active, Version: c.Version,
			Created: c.Created, LastSeen: c.LastSeen, Profile: c.Profile,
			Logins: []loginView{}, Addresses: []addressView{}, Tokens: []tokenView{}}
		if v.Profile == nil {
			v.Profile = map[string]any{}
		}
		for _, a := range tx.AccountsOf(c.ID) {
			v.Logins = append(v.Logins, loginView{Email: a.Email, Role: a.Role, Password: a.PasswordHash != "", Created: a.Created})
		}
		for _, a := range tx.Addresses(c.ID) {
			v.Addresses = append(v.Addresses, addressView{ID: a.ID, Default: a.Default, Tags: a.Tags, Fields: a.Fields})
		}
		for _, t := range tx.LiveTokens(c.ID) {
			v.Tokens = append(v.Tokens, tokenView{Kind: t.Kind, Value: t.Value, Session: t.SessionID, Client: t.ClientID,
				Issued: t.Issued, Expires: t.Expires})
		}
		page.Customers[i] = v
	}
	return page
}
