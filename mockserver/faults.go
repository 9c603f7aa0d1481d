package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/fault"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// faultList is GET /__doppel/faults: the transport rules and the business
// faults on logins.
type faultList struct {
	Rules  []fault.Rule `json:"rules"`
	Logins []loginFault `json:"logins"`
}

// loginFault is a customer's business fault as the admin API shows it.
type loginFault struct {
	API        string `json:"api"`
	Tenant     string `json:"tenant"`
	Email      string `json:"email"`
	Customer   string `json:"customer"` // the face's customer number
	Locked     bool   `json:"locked"`
	FailLogins int    `json:"failLogins"`
}

func toLoginFault(f identity.LoginFault, c *store.Customer) loginFault {
	return loginFault{API: f.API, Tenant: f.Tenant, Email: f.Email, Customer: c.Number, Locked: f.Locked, FailLogins: f.FailNext}
}

const loginPath = "/__doppel/faults/logins/{api}/{tenant}/{email}"

// mountFaults serves fault injection: transport rules under
// /__doppel/faults, business faults under /__doppel/faults/logins/….
func (s *Server) mountFaults(mux *http.ServeMux) {
	mux.HandleFunc("GET /__doppel/faults", func(w http.ResponseWriter, r *http.Request) {
		out := faultList{Rules: s.faults.List(), Logins: []loginFault{}}
		_ = s.ID.Read(func(tx *identity.Tx) error {
			for _, f := range s.ID.LoginFaults() {
				if c, err := tx.Customer(f.CustomerID); err == nil {
					out.Logins = append(out.Logins, toLoginFault(f, c))
				}
			}
			return nil
		})
		face.WriteJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /__doppel/faults", func(w http.ResponseWriter, r *http.Request) {
		var in fault.NewRule
		if !readJSON(w, r, &in, false) {
			return
		}
		rule, err := s.faults.Add(in, s.faceNames())
		if err != nil {
			admin.Error(w, http.StatusBadRequest, "fault: "+err.Error())
			return
		}
		face.WriteJSON(w, http.StatusCreated, rule)
	})
	mux.HandleFunc("DELETE /__doppel/faults", func(w http.ResponseWriter, r *http.Request) {
		s.faults.Clear()
		s.ID.ClearLoginFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /__doppel/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || !s.faults.Delete(id) {
			admin.Error(w, http.StatusNotFound, "no fault rule "+strconv.Quote(r.PathValue("id")))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("GET "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		if f, c, ok := s.resolveLogin(w, r); ok {
			face.WriteJSON(w, http.StatusOK, toLoginFault(f, c))
		}
	})
	mux.HandleFunc("PATCH "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Locked     *bool `json:"locked"`
			FailLogins *int  `json:"failLogins"`
		}
		if !readJSON(w, r, &in, false) {
			return
		}
		if in.FailLogins != nil && *in.FailLogins < 0 {
			admin.Error(w, http.StatusBadRequest, "failLogins must be 0 or more")
			return
		}
		f, c, ok := s.resolveLogin(w, r)
		if !ok {
			return
		}
		if in.Locked != nil {
			f.Locked = *in.Locked
		}
		if in.FailLogins != nil {
			f.FailNext = *in.FailLogins
		}
		s.ID.SetLoginFault(f)
		face.WriteJSON(w, http.StatusOK, toLoginFault(f, c))
	})
	mux.HandleFunc("DELETE "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		if f, _, ok := s.resolveLogin(w, r); ok {
			s.ID.SetLoginFault(identity.LoginFault{CustomerID: f.CustomerID})
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("POST "+loginPath+"/expire-tokens", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			KeepRefresh bool `json:"keepRefresh"`
		}
		if !readJSON(w, r, &in, true) {
			return
		}
		f, _, ok := s.resolveLogin(w, r)
		if !ok {
			return
		}
		var n int
		err := s.ID.Write(func(tx *identity.Tx) (err error) {
			n, err = tx.ExpireTokens(f.CustomerID, in.KeepRefresh)
			return err
		})
		if err != nil { // deleted meanwhile
			admin.Error(w, http.StatusNotFound, err.Error())
			return
		}
		face.WriteJSON(w, http.StatusOK, map[string]int{"expired": n})
	})
}

// resolveLogin resolves the login a business-fault URL names and returns its
// customer's fault (the zero fault, addressed by this login, when none);
// false after answering 404 when there is no such login.
func (s *Server) resolveLogin(w http.ResponseWriter, r *http.Request) (identity.LoginFault, *store.Customer, bool) {
	api, tenant, email := r.PathValue("api"), r.PathValue("tenant"), r.PathValue("email")
	if !slices.Contains(s.faceNames(), api) {
		admin.Error(w, http.StatusNotFound, errUnknownAPI(api, s.faceNames()).Error())
		return identity.LoginFault{}, nil, false
	}
	var c *store.Customer
	err := s.ID.Read(func(tx *identity.Tx) error {
		a, err := tx.AccountByEmail(api, tenant, email)
		if err == nil {
			c, err = tx.Customer(a.CustomerID)
		}
		return err
	})
	if err != nil {
		admin.Error(w, http.StatusNotFound, fmt.Sprintf("no login %q in %s tenant %q", email, api, tenant))
		return identity.LoginFault{}, nil, false
	}
	f := s.ID.LoginFault(c.ID)
	f.API, f.Tenant, f.Email = api, tenant, email
	return f, c, true
}

// readJSON decodes an admin request body strictly (an unknown field is an
// error) into v, answering 400 with the reason when it cannot; an empty
// body is accepted when optional.
func readJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return true
	}
	if err == nil && dec.More() {
		err = errors.New("one JSON object expected")
	}
	if err != nil {
		admin.Error(w, http.StatusBadRequest, "body: "+err.Error())
		return false
	}
	return true
}
