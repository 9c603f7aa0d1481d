# doppel — make targets. `make` alone prints this help.
GO        ?= go
ADDR      ?= 127.0.0.1:4010
SEED      ?= 1
BIN       := bin
TOOLS     := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2

.DEFAULT_GOAL := help
FUZZTIME  ?= 10s
BENCH_SECS   ?= 3
BENCH_ROUNDS ?= 5
# Minimizing each new input may otherwise take a minute of a short run (the
# seed and state documents are large).
FUZZMINTIME ?= 2s

.PHONY: help run build test test-short lint fuzz bench bench-go bench-load tools conform-vendorlike

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: build ## build bin/doppel, then start the mock with the demo personas (override ADDR=host:port, SEED=n)
	$(BIN)/doppel serve --addr $(ADDR) --seed $(SEED)

# -v names each package as it compiles: nothing once the build cache is warm,
# a minute or more of names on a fresh machine instead of silence.
build: ## build bin/doppel
	@echo "building $(BIN)/doppel (on a fresh machine the dependencies compile first, a minute or more: each package is named as it compiles)"
	@$(GO) build -v -o $(BIN)/doppel ./cmd/doppel

test: ## run every test with the race detector, the conformance suite against the in-process mock included (what CI runs)
	$(GO) test -race -count=1 ./...

test-short: ## the inner loop: every test but the slow end-to-end ones, without the race detector
	$(GO) test -short ./...

fuzz: ## run every fuzz target for FUZZTIME (10s) each; e.g. make fuzz FUZZTIME=10m
	scripts/fuzz.sh $(FUZZTIME) $(FUZZMINTIME)

lint: tools ## gofmt, go vet, staticcheck, the layer rules (scripts/layers.sh) and no large tracked files
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...
	scripts/layers.sh
	scripts/large-files.sh

tools: $(TOOLS)/staticcheck
$(TOOLS)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

bench: bench-go bench-load ## Go benchmarks, then the load test beside a bare net/http server

bench-go: ## Go benchmarks of the handler stack (ns/op, allocs/op)
	$(GO) test -run '^$$' -bench . -benchmem ./mockserver/

bench-load: ## load-test doppel serve beside a bare net/http server with wrk, interleaved over BENCH_ROUNDS (5) rounds of BENCH_SECS (3) s; medians, ranges, CPU per request, 100 000 customers
	scripts/loadbench.sh $(BENCH_SECS) $(BENCH_ROUNDS)

conform-vendorlike: ## the suite against doppel serve --admin=false and Mailpit, as against a vendor (docs/vendor-like-run.md)
	scripts/vendorlike.sh
