package openloyalty

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
)

func TestPolicyReportsEveryBrokenRuleAtOnce(t *testing.T) {
	tests := []struct {
		password string
		want     []string
	}{
		{"", []string{MsgBlank}},
		{"Example1!", nil},
		{"Example123!@#", nil},
		{"Ex1!", []string{MsgLength}},
		{"example1!", []string{MsgCase}},
		{"EXAMPLE1!", []string{MsgCase}},
		{"Example!!", []string{MsgNumber}},
		{"Example12", []string{MsgSpecial}},
		{"12345678!", []string{MsgLetter, MsgCase}},
		{"abc", []string{MsgLength, MsgCase, MsgNumber, MsgSpecial}},
		{"!", []string{MsgLength, MsgLetter, MsgCase, MsgNumber}},
		{"{}{}{}{}", []string{MsgLetter, MsgCase, MsgNumber, MsgSpecial}},
		{"Example 12", nil},                   // a space is special
		{"Example{12}", []string{MsgSpecial}}, // braces are not: the service's pattern lacks a backslash
		{"abcd\nEFG1!", []string{MsgCase}},    // the cases must meet within a line ('.' stops at \n)
		{"abcd\rEFG1!", nil},                  // but not within \r
		// Bytes, read as Latin-1: "Ä" is C3 84, "Ã" (Lu) and a control
		// character; "ä" is C3 A4, "Ã" and "¤" (a symbol).
		{"Ääää1!", []string{MsgCase}},              // 10 bytes, upper-case only, specials
		{"Exämple{1}", nil},                        // "¤" is special
		{"жжжжжжжж", []string{MsgCase, MsgNumber}}, // D0 B6: "Ð" (Lu) and "¶"
		{"Ab١!efgh", []string{MsgNumber}},          // D9 A1: "Ù" and "¡", no digit
		{"Abc½!efg", nil},                          // C2 BD: "½" is a number
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			assert.Equal(t, tt.want, policy(tt.password))
		})
	}
}

func TestPersonaAndGeneratedPasswordsMeetThePolicy(t *testing.T) {
	doc := fixtures.Generate(1, 3).OpenLoyalty
	for _, a := range doc.Admins {
		assert.Empty(t, policy(a.Password), "admin %q", a.Password)
	}
	require.Len(t, doc.Stores[fixtures.DemoStore].Customers, 4)
	for _, c := range doc.Stores[fixtures.DemoStore].Customers {
		assert.Empty(t, policy(c.Password), "customer %q", c.Password)
	}
}
