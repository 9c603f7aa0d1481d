package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/accounts"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/openloyalty"
)

func serve(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4010", "listen address")
	seed := fs.Uint64("seed", 0, "seed of the generated customers and of every id, token and code at start (same seed, same state); random when not given")
	customers := fs.Int("customers", 0, "how many realistic customers to generate per face, besides the personas")
	fixtureFile := fs.String("fixtures", "", "seed document (JSON) to load at start, after the personas")
	stateFile := fs.String("state-file", "", "keep the state in this file: loaded at start when it exists (instead of personas and fixtures), written after changes and at shutdown")
	hashCost := fs.Int("hash-cost", identity.DefaultHashCost, "bcrypt cost of stored passwords (4-31)")
	bodyLimit := fs.Int64("body-limit", 1<<20, "largest request body in bytes")
	jwtKey := fs.String("jwt-key", "", "RSA private key (PEM) that signs Open Loyalty JWTs; generated when empty")
	smtpAddr := fs.String("smtp", "", "also deliver every mailbox message to this SMTP server (host:port), e.g. Mailpit's")
	journal := fs.Int("journal", mockserver.DefaultJournal, "how many requests the request journal keeps (GET /__doppel/requests); 0 turns it off")
	headerTimeout := fs.Duration("read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "how long a client may take to send a whole request")
	writeTimeout := fs.Duration("write-timeout", 60*time.Second, "how long answering a request may take (a fault's latency included)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *journal < 0 {
		return fmt.Errorf("--journal %d: give 0 (off) or more", *journal)
	}
	if !flagSet(fs, "seed") {
		*seed = randomSeed()
	}
	start := time.Now()
	doc, restored, err := startState(*stateFile, *seed, *customers)
	if err != nil {
		return err
	}
	opts := mockserver.Options{HashCost: *hashCost, BodyLimit: *bodyLimit, Seed: doc, SMTP: *smtpAddr, Random: fixtures.Source(*seed)}
	if opts.Journal = *journal; *journal == 0 {
		opts.Journal = -1 // off
	}
	if *jwtKey != "" {
		key, err := openloyalty.LoadKey(*jwtKey)
		if err != nil {
			return err
		}
		opts.JWTKey = key
	}
	srv, err := mockserver.New(opts)
	if err != nil && restored {
		return badStateFile(*stateFile, err)
	}
	if err != nil {
		return err
	}
	defer srv.Close() // delivers the mail still queued for SMTP
	if *fixtureFile != "" && !restored {
		data, err := os.ReadFile(*fixtureFile)
		if err != nil {
			return err
		}
		doc, err := fixtures.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *fixtureFile, err)
		}
		if err := srv.Seed(doc); err != nil {
			return fmt.Errorf("%s: %w", *fixtureFile, err)
		}
		srv.ID.Checkpoint()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *stateFile != "" {
		persist, err := srv.Persist(*stateFile)
		if err != nil {
			return err
		}
		defer closeState(persist, *stateFile) // after the HTTP server has finished its requests
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "doppel listening on %s (ready in %s)\n", base, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "  dashboard: %s/__doppel/  (customers, mailbox, requests, faults, clock: open it in a browser)\n", base)
	fmt.Fprintf(out, "  admin API: %s/__doppel/…  (health, reset, seed, state, mailbox, customers, requests, faults, clock)\n", base)
	printState(out, *seed, *customers, *stateFile, restored)
	printPersonas(out, base, fixtures.Personas(), srv)
	go srv.Warm() // compile the validators and make the JWT key while the first clients connect

	hs := &http.Server{ // slow or idle clients cannot hold the server
		Handler: srv, ReadHeaderTimeout: *headerTimeout, ReadTimeout: *readTimeout,
		WriteTimeout: *writeTimeout, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing the requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printPersonas prints, per face, where to point a client and the logins of
// the generated personas.
func printPersonas(out io.Writer, base string, demo *fixtures.Document, srv *mockserver.Server) {
	fmt.Fprintf(out, "  Emporix, tenant %q: anonymous token at %s/customerlogin/auth/anonymous/login?tenant=%s&client_id=storefront\n",
		fixtures.DemoTenant, base, fixtures.DemoTenant)
	for _, c := range demo.Emporix.Tenants[fixtures.DemoTenant].Customers {
		fmt.Fprintf(out, "    %-40s %s\n", c.Email, c.Password)
	}
	fmt.Fprintf(out, "  Customer Accounts (Greedbag): %s/customers/ (secrets: %s/__doppel/mailbox?api=accounts)\n", base, base)
	retailers := append([]fixtures.AccountsRetailer{{Name: accounts.DefaultRetailer, Customers: demo.Accounts.Customers}}, demo.Accounts.Retailers...)
	for _, r := range retailers {
		if r.Name == accounts.DefaultRetailer {
			fmt.Fprintf(out, "    retailer %q (requests without an Origin header):\n", r.Name)
		} else {
			fmt.Fprintf(out, "    retailer %q (Origin %s):\n", r.Name, strings.Join(r.Origins, " or "))
		}
		for _, c := range r.Customers {
			if c.Status == fixtures.StatusPending {
				id, _ := srv.Accounts.Identifier(r.Name, c.Email)
				fmt.Fprintf(out, "      %-38s pending: activate with identifier %s and the mailed secret\n", c.Email, id)
			} else {
				fmt.Fprintf(out, "      %-38s %s\n", c.Email, c.Password)
			}
		}
	}
	fmt.Fprintf(out, "  Open Loyalty, base %s/api/\n", base)
	fmt.Fprintf(out, "    admins at %s/api/admin/login_check (_username, _password):\n", base)
	for _, a := range demo.OpenLoyalty.Admins {
		fmt.Fprintf(out, "    %-40s %s  (e-mail %s)\n", a.Username, a.Password, a.Email)
	}
	fmt.Fprintf(out, "    customers of store %q at %s/api/%s/customer/login_check:\n", fixtures.DemoStore, base, fixtures.DemoStore)
	for _, c := range demo.OpenLoyalty.Stores[fixtures.DemoStore].Customers {
		fmt.Fprintf(out, "    %-40s %s  (phone %s)\n", c.Email, c.Password, c.Phone)
	}
	for _, id := range demo.OpenLoyalty.PointsOfSale {
		fmt.Fprintf(out, "    point of sale %s (seller[posId] of %s/api/seller/register)\n", id, base)
	}
}
