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
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/accounts"
	adminapi "github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/openloyalty"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/seed"
	"golang.org/x/crypto/bcrypt"
)

func serve(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4010", "listen address")
	seed := fs.Uint64("seed", 0, "seed of the state at start: generated customers, their ids, hashes and codes (same seed, same state); random when not given")
	deterministic := fs.Bool("deterministic-tokens", false, "draw the ids, tokens and codes made after start from the seed too, for recorded tests (tokens then repeat across restarts)")
	customers := fs.Int("customers", 0, "how many realistic customers to generate per face, besides the personas")
	fixtureFile := fs.String("fixtures", "", "seed document (JSON) to load at start, after the personas")
	stateFile := fs.String("state-file", "", "keep the state in this file: loaded at start when it exists (instead of personas and fixtures), written after changes and at shutdown")
	flush := fs.Duration("state-flush", persist.DefaultFlush, "the longest a change waits before the --state-file is written (what kill -9 can lose)")
	hashCost := fs.Int("hash-cost", identity.DefaultHashCost, "bcrypt cost of stored passwords (4-31)")
	hashMode := fs.String("password-hash", identity.HashBcrypt, "how new passwords are hashed: bcrypt, or fast (one salted SHA-256, for load tests only: never for real passwords); stored hashes of either verify")
	bodyLimit := fs.Int64("body-limit", 1<<20, "largest request body of a face in bytes")
	docLimit := fs.Int64("document-limit", mockserver.DefaultDocumentLimit, "largest seed or state document the admin API reads, in bytes")
	jwtKey := fs.String("jwt-key", "", "RSA private key (PEM) that signs Open Loyalty JWTs; generated when empty")
	smtpAddr := fs.String("smtp", "", "also deliver every mailbox message to this SMTP server (host:port), e.g. Mailpit's")
	journal := fs.Int("journal", mockserver.DefaultJournal, "how many requests the request journal keeps (GET /__doppel/requests); 0 turns it off")
	mailbox := fs.Int("mailbox", mockserver.DefaultMailbox, "how many messages the mailbox keeps, the oldest dropped first; 0 keeps them all")
	admin := fs.Bool("admin", true, "serve the admin API and the dashboard under /__doppel/; --admin=false answers 404 there, as a vendor would")
	adminToken := fs.String("admin-token", "", "token the admin API requires (Authorization: Bearer …); default $"+adminTokenEnv)
	var adminOrigins, adminHosts repeated
	fs.Var(&adminOrigins, "admin-origin", "origin (scheme://host:port) whose pages may call the admin API (repeatable)")
	fs.Var(&adminHosts, "admin-host", "host name the admin API answers besides localhost and IP addresses (repeatable)")
	headerTimeout := fs.Duration("read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "how long a client may take to send a whole request")
	writeTimeout := fs.Duration("write-timeout", 60*time.Second, "how long answering a request may take (a fault's latency included)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *journal < 0:
		return fmt.Errorf("--journal %d: give 0 (off) or more", *journal)
	case *mailbox < 0:
		return fmt.Errorf("--mailbox %d: give 0 (all) or more", *mailbox)
	case *flush <= 0:
		return fmt.Errorf("--state-flush %s: give a positive duration", *flush)
	case !slices.Contains(identity.HashModes, *hashMode):
		return fmt.Errorf("--password-hash %q: give %s", *hashMode, strings.Join(identity.HashModes, " or "))
	case *hashCost < bcrypt.MinCost || *hashCost > bcrypt.MaxCost:
		return fmt.Errorf("--hash-cost %d: bcrypt's cost is %d to %d", *hashCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if !flagSet(fs, "seed") {
		*seed = randomSeed()
	}
	if *adminToken == "" {
		*adminToken = os.Getenv(adminTokenEnv)
	}
	for i, o := range adminOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return fmt.Errorf("--admin-origin %q: give an origin, e.g. http://localhost:5173", o)
		}
		adminOrigins[i] = u.Scheme + "://" + u.Host // as a browser sends it
	}
	if host, _, err := net.SplitHostPort(*addr); err == nil && host != "" {
		adminHosts = append(adminHosts, host) // the name it listens on, when a name (IP addresses always pass)
	}
	tuneGC()
	start := time.Now()
	if *stateFile != "" {
		lock, err := persist.LockStateFile(*stateFile) // before reading it: a second doppel stops here
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	doc, restored, err := startState(*stateFile, *seed, *customers)
	if err != nil {
		return err
	}
	opts := mockserver.Options{HashCost: *hashCost, HashMode: *hashMode, BodyLimit: *bodyLimit, Seed: &doc.Document, State: doc.State, SMTP: *smtpAddr, Random: fixtures.Source(*seed),
		DocumentLimit: *docLimit, Mailbox: *mailbox, Journal: *journal,
		Admin: adminapi.Options{Off: !*admin, Token: *adminToken, Origins: adminOrigins, Hosts: adminHosts}}
	if *journal == 0 {
		opts.Journal = -1 // off
	}
	if *mailbox == 0 {
		opts.Mailbox = -1 // all
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
		doc, err := persist.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *fixtureFile, err)
		}
		if err := srv.Seed(doc); err != nil {
			return fmt.Errorf("%s: %w", *fixtureFile, err)
		}
		srv.ID.Checkpoint()
	}
	if !*deterministic {
		srv.Unseed() // the data at start follows the seed; live tokens and codes do not
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *stateFile != "" {
		persist, err := srv.Persist(*stateFile, *flush)
		if err != nil {
			return err
		}
		defer closeState(persist, *stateFile) // after the HTTP server has finished its requests
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "doppel listening on %s (ready in %s)\n", base, time.Since(start).Round(time.Millisecond))
	if *admin {
		fmt.Fprintf(out, "  dashboard: %s/__doppel/  (customers, mailbox, requests, faults, clock: open it in a browser%s)\n", base, tokenHint(*adminToken))
		fmt.Fprintf(out, "  admin API: %s/__doppel/…  (health, reset, seed, state, mailbox, customers, requests, faults, clock)\n", base)
	} else {
		fmt.Fprintf(out, "  admin API and dashboard off (--admin=false): /__doppel/ answers 404\n")
	}
	warnExposed(out, ln.Addr(), *admin, *adminToken != "")
	printState(out, *seed, *customers, *stateFile, restored, *deterministic)
	printPersonas(out, base, fixtures.Personas(), srv, *admin)
	go srv.Warm() // compile the validators and make the JWT key while the first clients connect

	track := &inflight{reqs: map[*http.Request]time.Time{}}
	hs := &http.Server{ // slow or idle clients cannot hold the server
		Handler: track.wrap(srv), ReadHeaderTimeout: *headerTimeout, ReadTimeout: *readTimeout,
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
	return shutdown(hs, track, *shutdownTimeout)
}

// adminTokenEnv names the environment variable holding the admin token, for
// doppel serve and doppel conform alike.
const adminTokenEnv = "DOPPEL_ADMIN_TOKEN"

func tokenHint(token string) string {
	if token == "" {
		return ""
	}
	return "; add #token=<the admin token> to the URL"
}

// warnExposed warns when doppel listens beyond loopback: anyone who reaches
// the port reaches the admin API, unless it has a token or is off.
func warnExposed(out io.Writer, addr net.Addr, admin, token bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return
	}
	fmt.Fprintf(out, "  WARNING: listening on %s, beyond this machine: whoever reaches it can log in as the personas", addr)
	switch {
	case !admin:
		fmt.Fprintln(out, ".")
	case token:
		fmt.Fprintln(out, "; the admin API needs the token.")
	default:
		fmt.Fprintf(out, " and use the admin API (read every secret, reset the state).\n  Set $%s or --admin-token, or --admin=false.\n", adminTokenEnv)
	}
}

// inflight tracks the requests being served, to name those a shutdown drops.
type inflight struct {
	mu   sync.Mutex
	reqs map[*http.Request]time.Time
}

func (f *inflight) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs[r] = time.Now()
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.reqs, r)
			f.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

// running lists the requests still being served, oldest first: "POST /path (12s)".
func (f *inflight) running() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	type req struct {
		what  string
		since time.Time
	}
	var list []req
	for r, since := range f.reqs {
		list = append(list, req{r.Method + " " + r.URL.Path, since})
	}
	slices.SortFunc(list, func(a, b req) int { return a.since.Compare(b.since) })
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = fmt.Sprintf("%s (%s)", r.what, time.Since(r.since).Round(time.Millisecond))
	}
	return out
}

// shutdown stops accepting and waits up to timeout for the requests in
// flight; those still running then are dropped, and named in the error.
func shutdown(hs *http.Server, track *inflight, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		dropped := track.running()
		_ = hs.Close()
		return fmt.Errorf("shutdown: %d requests still running after --shutdown-timeout %s were dropped: %s",
			len(dropped), timeout, strings.Join(dropped, ", "))
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printPersonas prints, per face, where to point a client and the logins of
// the generated personas.
func printPersonas(out io.Writer, base string, demo *seed.Document, srv *mockserver.Server, admin bool) {
	fmt.Fprintf(out, "  Emporix, tenant %q: anonymous token at %s/customerlogin/auth/anonymous/login?tenant=%s&client_id=storefront\n",
		fixtures.DemoTenant, base, fixtures.DemoTenant)
	for _, c := range demo.Emporix.Tenants[fixtures.DemoTenant].Customers {
		fmt.Fprintf(out, "    %-40s %s\n", c.Email, c.Password)
	}
	secrets := base + "/__doppel/mailbox?api=accounts"
	if !admin {
		secrets = "over --smtp only"
	}
	fmt.Fprintf(out, "  Customer Accounts (Greedbag): %s/customers/ (secrets: %s)\n", base, secrets)
	retailers := append([]seed.AccountsRetailer{{Name: accounts.DefaultRetailer, Customers: demo.Accounts.Customers}}, demo.Accounts.Retailers...)
	for _, r := range retailers {
		if r.Name == accounts.DefaultRetailer {
			fmt.Fprintf(out, "    retailer %q (requests without an Origin header):\n", r.Name)
		} else {
			fmt.Fprintf(out, "    retailer %q (Origin %s):\n", r.Name, strings.Join(r.Origins, " or "))
		}
		for _, c := range r.Customers {
			if c.Status == seed.StatusPending {
				id, _ := srv.Face(accounts.API).(*accounts.Face).Identifier(r.Name, c.Email)
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
