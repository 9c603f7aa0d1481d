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
		{"Example 12", nil},                   // a space is special
		{"Example{12}", []string{MsgSpecial}}, // braces are not: the service's pattern lacks a backslash
		{"Exämple{1}", []string{MsgSpecial}},  // non-ASCII letters are letters
		{"Ääää1!", nil},                       // 6 characters, 10 bytes: length counts bytes
		{"Ab1!", []string{MsgLength}},
		{"Ab١!efgh", nil}, // an Arabic-Indic digit is a number
		{"abc", []string{MsgLength, MsgCase, MsgNumber, MsgSpecial}},
		{"{}{}{}{}", []string{MsgCase, MsgNumber, MsgSpecial}},
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
