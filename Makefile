# tetrasim: `make demo` runs the main job on the built-in simulated channel,
# `make test` runs every test. Only Go is needed for both.
GO        ?= go
# Packages with goroutines (devices, streaming, the simulator) also run under the race detector.
RACE_PKGS := ./hardware/... ./sim/...
OUT       ?= demo-out

.PHONY: demo test bench lint fuzz build tidy

# The main job: an E2E-encrypted group call over the simulated network (built-in
# scenario), then the uncoded BER sweep of the modem against theory.
demo:
	$(GO) run ./cmd/tetrasim call --out $(OUT)
	$(GO) run ./cmd/tetrasim ber --ebn0 0:10:2 --bits 200000 --plot $(OUT)/ber.png --json $(OUT)/ber.jsonl

build:
	$(GO) build -o tetrasim ./cmd/tetrasim

test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...
	@if [ -n "$$($(GO) list $(RACE_PKGS) 2>/dev/null)" ]; then \
		CGO_ENABLED=1 $(GO) test -count=1 -race -timeout 15m $(RACE_PKGS); fi

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./... | tee bench.txt

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Run every fuzz target briefly (FUZZTIME per target).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; done
