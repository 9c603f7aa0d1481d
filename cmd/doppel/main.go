// Command doppel is a stateful double of customer-account APIs, and the
// conformance suite that checks a deployment against them.
//
//	doppel serve   [--addr 127.0.0.1:4010] [--seed N] [--customers K] [--fixtures FILE] [--state-file FILE] [--smtp HOST:PORT] …
//	doppel fixtures [--seed N] [--customers K]
//	doppel conform [--target FILE|mock] [--mode quick|safe|full] [--timeout 10s] [--expect FILE] [--reports DIR] …
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `doppel — a stateful double of customer-account APIs

Usage:
  doppel serve [flags]     start the mock server (doppel serve -h lists the flags)
  doppel conform [flags]   run the conformance suite against a deployment (doppel conform -h)
  doppel fixtures [flags]  write the seed document doppel serve starts with (doppel fixtures -h)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:], os.Stdout)
	case "conform":
		var ok bool
		if ok, err = conform(os.Args[2:], os.Stdout); err == nil && !ok {
			os.Exit(1)
		}
	case "fixtures":
		err = fixturesCmd(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "doppel: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) { // -h: the flag set printed its usage
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "doppel:", err)
		os.Exit(1)
	}
}
