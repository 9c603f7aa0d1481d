package main

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/persist"
)

// fixturesCmd writes the seed document doppel serve starts with for a seed:
// the personas and the generated customers.
func fixturesCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fixtures", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "seed of the generated customers")
	customers := fs.Int("customers", 0, "how many customers to generate per face, besides the personas")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := json.MarshalIndent(fixtures.Generate(*seed, *customers), "", "  ")
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
}

// startState returns the document doppel serve starts from: the state file
// when it exists (restored), else the personas with customers generated
// from seed, each drawn when first needed (fixtures.Draw).
func startState(stateFile string, seed uint64, customers int) (doc *persist.Document, restored bool, err error) {
	if stateFile != "" {
		if doc, err = persist.ReadStateFile(stateFile); err != nil {
			return nil, false, badStateFile(stateFile, err)
		}
		if doc != nil {
			return doc, true, nil
		}
	}
	return &persist.Document{Document: *fixtures.Draw(seed, customers)}, false, nil
}

func badStateFile(path string, err error) error {
	return fmt.Errorf("state file %s cannot be loaded (left as it is; fix or remove it): %w", path, err)
}

// flagSet reports whether a flag was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])                       // never fails
	return binary.LittleEndian.Uint64(b[:]) >> 1 // fits an int64 too, for other tools
}

// printState says where the state at start came from.
func printState(out io.Writer, seed uint64, customers int, stateFile string, restored, deterministic bool) {
	if restored {
		fmt.Fprintf(out, "  state loaded from %s (personas, --customers and --fixtures not applied)\n", stateFile)
	} else {
		fmt.Fprintf(out, "  seed %d (--seed %d gives this state again)", seed, seed)
		if customers > 0 {
			fmt.Fprintf(out, "; %d generated customers per face, password %s", customers, fixtures.CustomerPassword)
		}
		fmt.Fprintln(out)
	}
	if deterministic {
		fmt.Fprintln(out, "  --deterministic-tokens: tokens and codes follow the seed too, and repeat on every start")
	}
	if stateFile != "" {
		fmt.Fprintf(out, "  state file %s: written after changes and at shutdown\n", stateFile)
	}
	fmt.Fprintln(out, "  personas:")
}

// closeState writes the state file a last time.
func closeState(p *persist.Persister, path string) {
	if err := p.Close(); err != nil {
		slog.Error("state file not written at shutdown", "path", path, "err", err)
	}
}
