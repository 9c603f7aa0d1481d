package mockserver

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/fault"
	"github.com/doppel-dev/doppel/mockserver/journal"
)

// captureLimit bounds the response body the journal reads; a longer one is
// shown by its size only.
const captureLimit = 64 << 10

// intercept wraps every handler of a face: it applies the transport fault
// the request asks for (X-Doppel-Fault) or a rule picks, and records the
// request in the journal.
func (s *Server) intercept(f face.Face, next http.Handler) http.Handler {
	api := f.Name()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var rec *recorder
		if s.journal != nil {
			rec = &recorder{ResponseWriter: w}
			w = rec
		}
		effect, applied, err := s.pickFault(api, r)
		switch {
		case err != nil:
			applied = "invalid " + fault.Header
			f.Render(w, face.Errorf(http.StatusBadRequest, face.CodeBadRequest, "%s: %v.", fault.Header, err))
		case applied == "":
			next.ServeHTTP(w, r)
		default:
			effect, waited := waitLatency(r.Context(), effect)
			applied += effect.String()
			switch {
			case !waited: // the client left meanwhile: no answer
			case effect.Drop:
				s.journalRequest(rec, f, r, start, applied)
				dropConnection(w)
				return
			case effect.Status != 0:
				f.Render(w, statusProblem(effect.Status, applied))
			default:
				next.ServeHTTP(w, r)
			}
		}
		s.journalRequest(rec, f, r, start, applied)
	})
}

// pickFault returns the effect to apply to a request and how it came
// ("header: " or "rule 3: "); applied is "" when none applies. A request's
// X-Doppel-Fault header wins over the rules and is removed, so that nothing
// past here sees it. With the admin API off, no fault applies.
func (s *Server) pickFault(api string, r *http.Request) (e fault.Effect, applied string, err error) {
	if s.admin.Off {
		return e, "", nil
	}
	if vals, ok := r.Header[fault.Header]; ok {
		r.Header.Del(fault.Header)
		if e, err = fault.ParseEffect(strings.Join(vals, ";")); err != nil {
			return e, "", err
		}
		return e, "header: ", nil
	}
	if rule, ok := s.faults.Match(api, r.Method, r.URL.Path); ok {
		return rule.Effect, "rule " + strconv.Itoa(rule.ID) + ": ", nil
	}
	return e, "", nil
}

// waitLatency waits the effect's latency and returns the effect with the delay it
// drew; false when the request was cancelled meanwhile.
func waitLatency(ctx context.Context, e fault.Effect) (fault.Effect, bool) {
	d := e.Delay()
	e.Latency, e.LatencyMax = d, d
	if d <= 0 {
		return e, true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return e, true
	case <-ctx.Done():
		return e, false
	}
}

// statusProblem is the Problem a forced status answers with; each face
// renders it in its own dialect.
func statusProblem(status int, applied string) *face.Problem {
	code := strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	if code == "" {
		code = "error"
	}
	return face.Errorf(status, code, "Fault injected by doppel (%s).", applied)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 cannot be hijacked: abort the stream instead
}

// journalRequest adds a request to the journal; rec is nil when the journal is off.
func (s *Server) journalRequest(rec *recorder, f face.Face, r *http.Request, start time.Time, applied string) {
	if rec == nil {
		return
	}
	s.journal.Add(journal.Entry{
		Time: s.ID.Clock.Now(), API: f.Name(), Tenant: f.Tenant(r), Operation: rec.note.Operation, Pattern: r.Pattern,
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header, Status: rec.status,
		Duration: time.Since(start), Violations: rec.note.Violations, Fault: applied,
		Request:  journal.NewBody(rec.note.Body, len(rec.note.Body)),
		Response: journal.NewBody(rec.body, rec.size),
	})
}

// recorder is a ResponseWriter that keeps what the journal shows: the
// status, the start of the body, and the pipeline's Note.
type recorder struct {
	http.ResponseWriter
	status int
	body   []byte // at most captureLimit bytes
	size   int
	note   face.Note
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := captureLimit - len(r.body); room > 0 {
		r.body = append(r.body, p[:min(room, len(p))]...)
	}
	r.size += len(p)
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (to drop it).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Note implements face.Noter.
func (r *recorder) Note(n face.Note) { r.note = n }
