package face_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/mockserver/face"
)

func TestErrorMapAnswer(t *testing.T) {
	errGone, errTaken, errOther := errors.New("gone"), errors.New("taken"), errors.New("other")
	gone := face.Errorf(http.StatusUnauthorized, "gone", "The token is gone.")
	m := face.ErrorMap{
		errGone:  gone,
		errTaken: {Status: http.StatusConflict, Code: "taken", Message: "%s is taken in %s."},
	}
	own := face.Errorf(http.StatusBadRequest, face.CodeBadRequest, "bad")
	for _, tt := range []struct {
		name    string
		err     error
		details []any
		want    error
	}{
		{"nil", nil, nil, nil},
		{"plain answer", errGone, nil, gone},
		{"wrapped", fmt.Errorf("lookup: %w", errGone), nil, gone},
		{"formatted", errTaken, []any{"ann@example.org", "shop"},
			&face.Problem{Status: http.StatusConflict, Code: "taken", Message: "ann@example.org is taken in shop."}},
		{"a Problem passes", own, nil, own},
		{"unmapped passes", errOther, nil, errOther},
	} {
		assert.Equal(t, tt.want, m.Answer(tt.err, tt.details...), tt.name)
	}
	assert.Equal(t, "%s is taken in %s.", m[errTaken].Message, "formatting leaves the map as it was")
}
