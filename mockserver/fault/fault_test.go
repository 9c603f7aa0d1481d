package fault_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/fault"
)

func TestParseEffect(t *testing.T) {
	tests := []struct {
		in      string
		want    fault.Effect
		wantErr string
	}{
		{in: "status=503", want: fault.Effect{Status: 503}},
		{in: "latency=300ms", want: fault.Effect{Latency: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond}},
		{in: "latency=100ms-2s", want: fault.Effect{Latency: 100 * time.Millisecond, LatencyMax: 2 * time.Second}},
		{in: "drop", want: fault.Effect{Drop: true}},
		{in: " Latency = 1s ; status=504,", want: fault.Effect{Latency: time.Second, LatencyMax: time.Second, Status: 504}},
		{in: "latency=1s, drop", want: fault.Effect{Latency: time.Second, LatencyMax: time.Second, Drop: true}},
		{in: "", wantErr: "needs latency, status or drop"},
		{in: "status=200", wantErr: "not an error status"},
		{in: "status=abc", wantErr: "not a number"},
		{in: "status=503; drop", wantErr: "not both"},
		{in: "latency=fast", wantErr: `latency "fast"`},
		{in: "latency=2s-1s", wantErr: "from low to high"},
		{in: "latency=10m", wantErr: "longer than"},
		{in: "drop=yes", wantErr: "unknown fault"},
		{in: "slow", wantErr: "unknown fault"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := fault.ParseEffect(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := fault.ParseEffect(got.String())
			require.NoError(t, err, "String writes the syntax back")
			assert.Equal(t, got, again)
		})
	}
}

func TestDelayStaysInItsRange(t *testing.T) {
	e, err := fault.ParseEffect("latency=10ms-20ms")
	require.NoError(t, err)
	seen := map[bool]bool{}
	for range 200 {
		d := e.Delay()
		assert.GreaterOrEqual(t, d, 10*time.Millisecond)
		assert.LessOrEqual(t, d, 20*time.Millisecond)
		seen[d < 15*time.Millisecond] = true
	}
	assert.Len(t, seen, 2, "both halves of the range are drawn")
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/customer/*/login", "/customer/acme/login", true},
		{"/customer/*/login", "/customer/acme/me/login", false},
		{"/customer/*/login", "/customer/acme/login/x", false},
		{"/customer/**", "/customer/acme/me/addresses", true},
		{"**/login", "/customer/acme/login", true},
		{"/api/*/customer/login_check", "/api/DEMO/customer/login_check", true},
		{"/customer/acme/me?", "/customer/acme/me1", true},
		{"/customers/self", "/customers/self", true},
		{"/a.b", "/axb", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.path, func(t *testing.T) {
			re, err := fault.Glob(tt.pattern)
			require.NoError(t, err)
			assert.Equal(t, tt.want, re.MatchString(tt.path))
		})
	}
	_, err := fault.Glob("customer/*")
	assert.ErrorContains(t, err, "must start with / or *")
}

var apis = []string{"emporix", "openloyalty", "accounts"}

func ptr[T any](v T) *T { return &v }

func TestRulesAddChecksInput(t *testing.T) {
	tests := []struct {
		name    string
		in      fault.NewRule
		wantErr string
	}{
		{"unknown api", fault.NewRule{API: "stripe", Status: 500}, `api "stripe" is not one of emporix, openloyalty, accounts`},
		{"bad path", fault.NewRule{Path: "me", Status: 500}, "must start with"},
		{"no effect", fault.NewRule{API: "emporix"}, "needs latency, status or drop"},
		{"bad latency", fault.NewRule{Latency: "soon"}, `latency "soon"`},
		{"zero count", fault.NewRule{Status: 500, Count: ptr(0)}, "count 0"},
		{"probability above 1", fault.NewRule{Status: 500, Probability: ptr(1.5)}, "probability 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs fault.Rules
			_, err := rs.Add(tt.in, apis)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, rs.List())
		})
	}
}

func TestRulesMatch(t *testing.T) {
	var rs fault.Rules
	_, ok := rs.Match("emporix", "GET", "/customer/acme/me")
	assert.False(t, ok, "no rules")

	login, err := rs.Add(fault.NewRule{API: "emporix", Method: "post", Path: "/customer/*/login", Status: 503, Count: ptr(2)}, apis)
	require.NoError(t, err)
	never, err := rs.Add(fault.NewRule{Path: "/**", Status: 500, Probability: ptr(0.0)}, apis)
	require.NoError(t, err)
	always, err := rs.Add(fault.NewRule{API: "openloyalty", Latency: "1ms-2ms", Probability: ptr(1.0)}, apis)
	require.NoError(t, err)

	tests := []struct {
		api, method, path string
		wantID            int // 0: no fault
	}{
		{"emporix", "GET", "/customer/acme/login", 0},              // another method; the 0-probability rule never fires
		{"openloyalty", "POST", "/customer/acme/login", always.ID}, // another api
		{"emporix", "POST", "/customer/acme/login", login.ID},
		{"emporix", "POST", "/customer/beta/login", login.ID},
		{"emporix", "POST", "/customer/acme/login", 0}, // count spent: the rule expired
		{"openloyalty", "GET", "/api/token/revoke", always.ID},
	}
	for i, tt := range tests {
		r, ok := rs.Match(tt.api, tt.method, tt.path)
		assert.Equal(t, tt.wantID != 0, ok, "request %d", i)
		assert.Equal(t, tt.wantID, r.ID, "request %d", i)
	}

	list := rs.List()
	require.Len(t, list, 2)
	assert.Equal(t, never.ID, list[0].ID)
	assert.Equal(t, 0, list[0].Applied)
	assert.Equal(t, 2, list[1].Applied)
	assert.Nil(t, list[1].Remaining, "no count, no limit")

	raw, err := json.Marshal(list[1])
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":3,"api":"openloyalty","method":"","path":"","latency":"1ms-2ms","probability":1,"remaining":null,"applied":2}`, string(raw))

	assert.True(t, rs.Delete(never.ID))
	assert.False(t, rs.Delete(never.ID))
	rs.Clear()
	assert.Empty(t, rs.List())
}

func TestRemainingCountsDown(t *testing.T) {
	var rs fault.Rules
	_, err := rs.Add(fault.NewRule{Status: 500, Count: ptr(3)}, apis)
	require.NoError(t, err)
	rs.Match("accounts", "GET", "/customers/self")
	list := rs.List()
	require.Len(t, list, 1)
	assert.Equal(t, 2, *list[0].Remaining)
	raw, _ := json.Marshal(list[0])
	assert.JSONEq(t, `{"id":1,"api":"","method":"","path":"","status":500,"probability":1,"remaining":2,"applied":1}`, string(raw))
}
