# flowviz: build, test, lint and benchmark. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# Pinned, and checked to build with Go 1.26.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Seconds of fuzzing per Fuzz target in `make fuzz`.
FUZZTIME ?= 10s
# Arguments for `make run`, e.g. make run ARGS='-target moons'.
ARGS ?=
TESTFLAGS ?= -timeout 15m

# Let an older go (>= 1.21) fetch the toolchain go.mod names, whatever the machine's go.env
# says; and refuse to edit go.mod/go.sum behind anyone's back during builds and tests.
export GOTOOLCHAIN ?= auto
export GOFLAGS := -mod=readonly

UNAME := $(shell uname -s)
ifeq ($(UNAME),Linux)
# ebiten builds GLFW with cgo on Linux; without gcc, go would quietly turn cgo off.
export CGO_ENABLED := 1
# Packages that import ebiten panic at init without an X display, so on a headless Linux
# the whole test command runs under a virtual one.
ifeq ($(strip $(DISPLAY)),)
XRUN := xvfb-run -a -s "-screen 0 1920x1080x24"
endif
endif

.PHONY: help setup build run test bench bench-peer lint fuzz clean

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-11s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

setup: ## install what building and testing need, only when missing (scripts/setup-deps.sh)
	@scripts/setup-deps.sh

build: setup ## go build ./... and the commands under cmd/ into bin/
	$(GO) build ./...
	@if [ -d cmd ]; then mkdir -p bin && echo "$(GO) build -o bin/ ./cmd/..." && $(GO) build -o bin/ ./cmd/...; fi

run: build ## start bin/flowviz on the default scene (ARGS='...' passes flags)
	@if [ "$(UNAME)" = Linux ] && [ -z "$(DISPLAY)" ]; then echo "make run: no DISPLAY; flowviz needs a desktop (or xvfb-run)" >&2; exit 1; fi
	bin/flowviz $(ARGS)

test: setup ## go vet and go test -race over every package (under xvfb-run on a headless Linux)
	$(GO) vet ./...
	$(XRUN) $(GO) test -race $(TESTFLAGS) ./...
ifeq ($(UNAME),Linux)
	scripts/test-setup-deps.sh
endif

bench: build ## Go benchmarks of flow/... and bin/flowmatch bench
	$(GO) test -run '^$$' -bench . ./flow/...
	@if [ -x bin/flowmatch ]; then echo bin/flowmatch bench && bin/flowmatch bench; else echo "make bench: no bin/flowmatch yet, skipped"; fi

bench-peer: build ## bin/flowmatch bench -peer: the same figures beside PyTorch's (installs python3-torch, python3-sklearn, python3-pot)
	@scripts/setup-deps.sh --peer
	bin/flowmatch bench -peer
	bin/flowmatch bench -peer -coupling ot

lint: setup ## gofmt -l must be empty, go vet, staticcheck
	@echo gofmt -l .; out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@for f in scripts/*.sh .ci/run; do bash -n "$$f"; done

fuzz: setup ## run every Fuzz target for FUZZTIME (default 10s) each
	$(XRUN) scripts/fuzz.sh $(FUZZTIME)

clean: ## remove bin/ and the test cache
	rm -rf bin/
	$(GO) clean -testcache
