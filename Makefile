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

# The version stamped into the binaries (flowviz -version, flowmatch -version) and the
# archives' names: git describe, else the commit, else "devel".
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
VERSION_PKG := github.com/flowviz/flowviz/cmd/internal/version
LDFLAGS := -X $(VERSION_PKG).version=$(VERSION) -X $(VERSION_PKG).commit=$(COMMIT)
DIST := dist

.PHONY: help setup build run test bench bench-peer lint cross cross-windows dist dist-linux dist-windows dist-darwin dist-web web serve fuzz clean

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-11s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

setup: ## install what building and testing need, only when missing (scripts/setup-deps.sh)
	@scripts/setup-deps.sh

build: setup ## go build ./... and the commands under cmd/ into bin/
	$(GO) build ./...
	@if [ -d cmd ]; then mkdir -p bin && echo "$(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/..." && $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...; fi

run: build ## start bin/flowviz on the default scene (ARGS='...' passes flags)
	@if [ "$(UNAME)" = Linux ] && [ -z "$(DISPLAY)" ]; then echo "make run: no DISPLAY; flowviz needs a desktop (or xvfb-run)" >&2; exit 1; fi
	bin/flowviz $(ARGS)

test: setup ## go vet and go test -race over every package, the app's end-to-end tests last (under xvfb-run on a headless Linux)
	$(GO) vet ./...
	$(XRUN) $(GO) test -race $(TESTFLAGS) $$($(GO) list ./... | grep -v '/cmd/flowviz\(/webtest\)\?$$')
	@# viz's layout sweeps (every UI scale × window size) draw on one goroutine and take
	@# minutes under the race detector, which skips them: they run here without it, with
	@# the stepwise game, whose density layer and NLL the race run does not wait for.
	$(XRUN) $(GO) test $(TESTFLAGS) -run '^(TestOverlaysLeaveTheFigureAlone|TestLessonLayoutAtEveryScale|TestDeckCompareStripReadable|TestStepwiseGame)$$' ./viz
	@# The app's end-to-end tests drive it with real key and pointer events, timed against
	@# its frames: they run on their own, not beside the other packages' CPU-heavy tests;
	@# then the page's, in headless Chromium (they build the wasm once, ~1 min).
	$(XRUN) $(GO) test -race $(TESTFLAGS) ./cmd/flowviz
	$(GO) test -race $(TESTFLAGS) ./cmd/flowviz/webtest
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

# The browser build: a static site (index.html, wasm_exec.js, flowviz.wasm and its .gz).
WEB_DIR ?= bin/web
WEB_ADDR ?= localhost:8080

web: ## build the web page into bin/web/ (flowviz.wasm for GOOS=js GOARCH=wasm, stripped, plus .gz)
	$(GO) run ./cmd/flowweb build -o $(WEB_DIR) -ldflags '$(LDFLAGS)'

serve: web ## serve bin/web/ on http://localhost:8080/ (WEB_ADDR=...) until Ctrl+C
	$(GO) run ./cmd/flowweb serve -dir $(WEB_DIR) -addr $(WEB_ADDR)

cross: cross-windows ## cross-build what CI must keep building: Windows amd64 (no cgo) and js/wasm
	CGO_ENABLED=0 GOOS=js GOARCH=wasm $(GO) build ./cmd/flowviz ./flow/...

cross-windows: ## cross-build for Windows amd64 (no cgo); CI's, whose page tests build the wasm
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build ./cmd/... ./viz/... ./flow/...

dist: dist-linux dist-windows dist-darwin dist-web ## versioned release archives in dist/ (macOS ones only on a Mac)
	@ls -l $(DIST)

# One archive per platform: flowviz-VERSION-OS-ARCH.{tar.gz,zip} holding flowviz, flowmatch
# and the README, in a folder of the same name.
define archive # $(1) GOOS, $(2) GOARCH, $(3) CGO_ENABLED, $(4) tar.gz or zip
	@name=flowviz-$(VERSION)-$(1)-$(2); dir=$(DIST)/$$name; rm -rf "$$dir"; mkdir -p "$$dir"; \
	echo "GOOS=$(1) GOARCH=$(2) CGO_ENABLED=$(3) $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -o $$dir/ ./cmd/flowviz ./cmd/flowmatch"; \
	CGO_ENABLED=$(3) GOOS=$(1) GOARCH=$(2) $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -o "$$dir/" ./cmd/flowviz ./cmd/flowmatch; \
	cp README.md "$$dir/"; \
	if [ "$(4)" = zip ]; then (cd $(DIST) && rm -f "$$name.zip" && zip -qr "$$name.zip" "$$name"); \
	else tar -C $(DIST) -czf "$(DIST)/$$name.tar.gz" "$$name"; fi; \
	rm -rf "$$dir"; echo "  $(DIST)/$$name.$(4)"
endef

dist-linux: setup ## dist/flowviz-VERSION-linux-amd64.tar.gz (built with cgo, on Linux amd64)
ifeq ($(UNAME)-$(shell uname -m),Linux-x86_64)
	$(call archive,linux,amd64,1,tar.gz)
else
	@echo "make dist-linux: the Linux build needs cgo, so it is made on Linux amd64; skipped"
endif

dist-windows: ## dist/flowviz-VERSION-windows-amd64.zip (cross-built without cgo from any system)
	$(call archive,windows,amd64,0,zip)

dist-darwin: ## dist/flowviz-VERSION-darwin-{arm64,amd64}.tar.gz, on a Mac only (ebiten needs cgo there)
ifeq ($(UNAME),Darwin)
	$(call archive,darwin,arm64,1,tar.gz)
	$(call archive,darwin,amd64,1,tar.gz)
else
	@echo "make dist-darwin: macOS builds need cgo and Apple's SDK, so they are made on a Mac; skipped"
endif

dist-web: web ## dist/flowviz-VERSION-web.zip: the static site of `make web`
	@mkdir -p $(DIST); name=flowviz-$(VERSION)-web; rm -f "$(DIST)/$$name.zip"; \
	(cd "$(WEB_DIR)" && zip -qr "$(CURDIR)/$(DIST)/$$name.zip" .) && echo "  $(DIST)/$$name.zip"

fuzz: setup ## run every Fuzz target for FUZZTIME (default 10s) each
	$(XRUN) scripts/fuzz.sh $(FUZZTIME)

clean: ## remove bin/, dist/ and the test cache
	rm -rf bin/ $(DIST)/
	$(GO) clean -testcache
