package mockserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// The benchmarks run the whole stack — CORS, routing, authentication,
// contract validation, state, encoding — without a network.

// BenchmarkGetMe runs with the request journal on, as doppel serve does;
// BenchmarkGetMeNoJournal without it.
func BenchmarkGetMe(b *testing.B) { benchmarkGetMe(b, mockserver.Options{}) }

func BenchmarkGetMeNoJournal(b *testing.B) { benchmarkGetMe(b, mockserver.Options{Journal: -1}) }

// BenchmarkGetMeDistinct asks for another URL each time (an extra expand
// value), so that every request is validated in full rather than found in
// the memo of valid requests.
func BenchmarkGetMeDistinct(b *testing.B) {
	h := newHarness(b, mockserver.Options{})
	tok := "Bearer " + h.customer("acme", "ann@example.com", "secret")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req := httptest.NewRequest("GET", "/customer/acme/me?expand=addresses,x"+strconv.Itoa(i), nil)
		req.Header.Set("Authorization", tok)
		serve(b, h, req)
	}
}

func benchmarkGetMe(b *testing.B, opts mockserver.Options) {
	h := newHarness(b, opts)
	tok := "Bearer " + h.customer("acme", "ann@example.com", "secret")
	req := httptest.NewRequest("GET", "/customer/acme/me?expand=addresses", nil)
	req.Header.Set("Authorization", tok)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, req)
	}
}

func serve(b *testing.B, h *harness, req *http.Request) {
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatal(w.Code, w.Body.String())
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
	n := 0
	for b.Loop() {
		if n++; n%identity.MaxAddresses == 0 { // a customer has at most that many
			b.StopTimer()
			tok = "Bearer " + h.customer("acme", fmt.Sprintf("ann%d@example.com", n), "secret")
			b.StartTimer()
		}
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

// BenchmarkStart builds a server with the personas, as `doppel serve --seed
// 1` does before it answers, its contracts parsed already (they are parsed
// once per process: BenchmarkContracts measures that).
func BenchmarkStart(b *testing.B) { benchmarkStart(b, 0) }

// BenchmarkStart100k is BenchmarkStart with 100 002 generated customers
// (`doppel serve --customers 33334`), generation included. Profile it with
// -cpuprofile or -memprofile; it reports the live heap per customer.
func BenchmarkStart100k(b *testing.B) { benchmarkStart(b, 33334) }

func benchmarkStart(b *testing.B, k int) {
	var srv *mockserver.Server
	for b.Loop() {
		if srv != nil {
			srv.Close()
		}
		var err error
		srv, err = mockserver.New(mockserver.Options{Seed: fixtures.Draw(1, k), Random: fixtures.Source(1)})
		if err != nil {
			b.Fatal(err)
		}
	}
	if k > 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/float64(3*k), "heap-B/customer")
	}
	srv.Close()
}

// BenchmarkExport100k writes the state of `doppel serve --customers 33334`
// (GET /__doppel/state, the state file): every customer not drawn yet is
// drawn for it, in a scratch store.
func BenchmarkExport100k(b *testing.B) {
	srv, err := mockserver.New(mockserver.Options{Seed: fixtures.Draw(1, 33334), Random: fixtures.Source(1)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for b.Loop() {
		if err := srv.WriteState(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkContracts parses every embedded contract and builds its request
// validator, as the first start of a process does.
func BenchmarkContracts(b *testing.B) {
	for b.Loop() {
		for _, name := range contracts.Names() {
			raw, err := contracts.Raw(name)
			if err != nil {
				b.Fatal(err)
			}
			c, err := contracts.New(name, raw)
			if err != nil {
				b.Fatal(err)
			}
			c.Warm()
		}
	}
}
