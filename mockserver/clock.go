package mockserver

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// clockState is the admin API's view of the clock.
type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"` // from the wall clock, e.g. "25h0m0s"
}

// maxClockShift bounds how far the clock may be moved from the wall clock.
const maxClockShift = 100 * 365 * 24 * time.Hour

// mountClock serves the clock every expiry follows: GET shows it, POST
// advances it, sets it or resets it to the wall clock.
func (s *Server) mountClock(mux *http.ServeMux) {
	state := func() clockState {
		now := s.ID.Clock.Now()
		offset := time.Until(now)
		if c, ok := s.ID.Clock.(identity.AdjustableClock); ok {
			offset = c.Offset()
		}
		return clockState{Now: now, Offset: offset.Round(time.Millisecond).String()}
	}
	mux.HandleFunc("GET /__doppel/clock", func(w http.ResponseWriter, r *http.Request) {
		face.WriteJSON(w, http.StatusOK, state())
	})
	mux.HandleFunc("POST /__doppel/clock", func(w http.ResponseWriter, r *http.Request) {
		clock, ok := s.ID.Clock.(identity.AdjustableClock)
		if !ok {
			admin.Error(w, http.StatusConflict, "the clock is fixed by the program embedding the mock")
			return
		}
		var in struct {
			Advance *string    `json:"advance"`
			Set     *time.Time `json:"set"`
			Reset   bool       `json:"reset"`
		}
		if !readJSON(w, r, &in, false) {
			return
		}
		if !exactlyOne(in.Advance != nil, in.Set != nil, in.Reset) {
			admin.Error(w, http.StatusBadRequest, `clock: give one of {"advance":"25h"}, {"set":"2027-01-01T00:00:00Z"}, {"reset":true}`)
			return
		}
		var offset time.Duration // the offset it will have
		apply := clock.Reset
		switch {
		case in.Set != nil:
			offset, apply = time.Until(*in.Set), func() { clock.Set(*in.Set) }
		case in.Advance != nil:
			d, err := parseDays(*in.Advance)
			if err != nil {
				admin.Error(w, http.StatusBadRequest, "clock: advance: "+err.Error())
				return
			}
			offset, apply = clock.Offset()+d, func() { clock.Advance(d) }
		}
		if offset > maxClockShift || offset < -maxClockShift {
			admin.Error(w, http.StatusBadRequest, "clock: more than 100 years away from the wall clock")
			return
		}
		apply()
		s.ID.Sweep() // what the move expired long enough ago goes now, not at the next write
		face.WriteJSON(w, http.StatusOK, state())
	})
}

// exactlyOne reports whether exactly one of conds holds.
func exactlyOne(conds ...bool) bool {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n == 1
}

var daysPattern = regexp.MustCompile(`^(-?)(\d+)d(.*)$`)

// parseDays is time.ParseDuration with days ("30d", "1d12h") as well.
func parseDays(s string) (time.Duration, error) {
	m := daysPattern.FindStringSubmatch(s)
	if m == nil {
		return time.ParseDuration(s)
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n > 100*365 {
		return 0, errors.New("too many days in " + strconv.Quote(s))
	}
	d := time.Duration(n) * 24 * time.Hour
	if m[3] != "" {
		rest, err := time.ParseDuration(m[3])
		if err != nil || rest < 0 {
			return 0, errors.New("invalid duration " + strconv.Quote(s))
		}
		d += rest
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}
