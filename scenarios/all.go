package scenarios

import (
	"errors"
	"fmt"
	"slices"
)

// All lists every scenario, API by API. The lists are built on call, not at
// package initialisation, which `doppel serve` would pay at every start.
func All() []Scenario {
	return slices.Concat(emporix(), openLoyalty(), accounts())
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

// Entry is one scenario in the catalog.
type Entry struct {
	ID           string   `yaml:"id"`
	Description  string   `yaml:"description"`
	Smoke        bool     `yaml:"smoke,omitempty"`
	Choice       bool     `yaml:"choice,omitempty"` // pins doppel's choice (label doppel-choice)
	Capabilities []string `yaml:"capabilities,flow,omitempty"`
	Steps        int      `yaml:"steps"`
}

// Catalog lists the scenarios by API, as scenarios/catalog.yaml records them.
func Catalog(list []Scenario) map[string][]Entry {
	out := map[string][]Entry{}
	for _, s := range list {
		e := Entry{ID: s.ID, Description: s.Description, Smoke: s.Has(Smoke), Choice: s.Has(DoppelChoice), Steps: len(s.Steps)}
		for _, l := range s.Labels {
			if _, ok := Capabilities[l]; ok {
				e.Capabilities = append(e.Capabilities, l)
			}
		}
		api := s.API().Name
		out[api] = append(out[api], e)
	}
	return out
}
