// Command barejson is the load benchmark's yardstick: a bare net/http server
// that answers every request with one fixed JSON body, as fast as Go's HTTP
// stack allows. `make bench` runs it beside doppel with doppel's own answers.
//
//	barejson -addr 127.0.0.1:4511 -body me.json -status 200
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4511", "listen address")
	file := flag.String("body", "", "file holding the JSON body to answer with")
	status := flag.Int("status", http.StatusOK, "status to answer with")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		w.WriteHeader(*status)
		_, _ = w.Write(body)
	})))
}
