package scenarios

import (
	"errors"
	"fmt"
	"slices"
)

// All lists every scenario, API by API.
func All() []Scenario {
	return slices.Concat(Emporix, OpenLoyalty)
}

// CheckAll validates every scenario and that their IDs are unique.
func CheckAll(list []Scenario) error {
	var errs []error
	seen := map[string]bool{}
	for _, s := range list {
		if seen[s.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate ID", s.ID))
		}
		seen[s.ID] = true
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.ID, err))
		}
	}
	return errors.Join(errs...)
}
