package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkOpenLoyaltyRevoke is a JWT-authenticated request (an admin's:
// revoke is behind the admin firewall): RS256 verification, user lookup,
// one write.
func BenchmarkOpenLoyaltyRevoke(b *testing.B) {
	h := newOLHarness(b)
	req := httptest.NewRequest("GET", "/api/token/revoke", nil)
	req.Header.Set("Authorization", "Bearer "+h.adminToken())
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkOpenLoyaltyRefresh signs a JWT per request (RS256, 2048 bits).
func BenchmarkOpenLoyaltyRefresh(b *testing.B) {
	h := newOLHarness(b)
	_, refresh := h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
	body := "refresh_token=" + refresh
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/token/refresh", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
