# doppel — make targets. `make` alone prints this help.
GO        ?= go
ADDR      ?= 127.0.0.1:4010
SEED      ?= 1
BIN       := bin
TOOLS     := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2

.DEFAULT_GOAL := help
FUZZTIME  ?= 10s
# Minimizing each new input may otherwise take a minute of a short run (the
# seed and state documents are large).
FUZZMINTIME ?= 2s

.PHONY: help run build test lint fuzz bench bench-go bench-load tools

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## start the mock with the demo personas (override ADDR=host:port, SEED=n)
	$(GO) run ./cmd/doppel serve --addr $(ADDR) --seed $(SEED)

build: ## build bin/doppel
	$(GO) build -o $(BIN)/doppel ./cmd/doppel

test: ## run every test with the race detector, the conformance suite against the in-process mock included
	$(GO) test -race -count=1 ./...

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

bench-load: ## load-test doppel serve and a bare net/http server with wrk (apt-get install wrk)
	scripts/loadbench.sh
