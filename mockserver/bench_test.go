package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/doppel-dev/doppel/mockserver"
)

// The benchmarks run the whole stack — CORS, routing, authentication,
// contract validation, state, encoding — without a network.

// BenchmarkGetMe runs with the request journal on, as doppel serve does;
// BenchmarkGetMeNoJournal without it.
func BenchmarkGetMe(b *testing.B) { benchmarkGetMe(b, mockserver.Options{}) }

func BenchmarkGetMeNoJournal(b *testing.B) { benchmarkGetMe(b, mockserver.Options{Journal: -1}) }

func benchmarkGetMe(b *testing.B, opts mockserver.Options) {
	h := newHarness(b, opts)
	tok := "Bearer " + h.customer("acme", "ann@example.com", "secret")
	req := httptest.NewRequest("GET", "/customer/acme/me?expand=addresses", nil)
	req.Header.Set("Authorization", tok)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

func BenchmarkLogin(b *testing.B) {
	h := newHarness(b, mockserver.Options{})
	h.customer("acme", "ann@example.com", "secret")
	anon := "Bearer " + h.anonymous("acme")
	const body = `{"email":"ann@example.com","password":"secret"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/customer/acme/login", strings.NewReader(body))
		req.Header.Set("Authorization", anon)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

func BenchmarkAddAddress(b *testing.B) {
	h := newHarness(b, mockserver.Options{})
	tok := "Bearer " + h.customer("acme", "ann@example.com", "secret")
	const body = `{"contactName":"Ann","street":"Platz der Republik","streetNumber":"1","zipCode":"11011","city":"Berlin","country":"DE","tags":["BILLING"]}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/customer/acme/me/addresses", strings.NewReader(body))
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
