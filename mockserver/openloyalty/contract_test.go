package openloyalty

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/contracts"
)

func TestStorePatternIsTheContracts(t *testing.T) {
	p := contracts.MustLoad(API).Model.Components.Parameters.GetOrZero("storeCode")
	assert.Equal(t, storePattern.String(), p.Schema.Schema().Pattern)
}
