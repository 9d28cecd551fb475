# callstate — two commands from a fresh machine:
#   make run    set up, build, print the bundled sample's verdict, serve www/ (PORT=8000)
#   make test   set up (plus Chromium), then every check and test
# Both are idempotent: each step only does what is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# The wasm-bindgen CLI must match the `wasm-bindgen` crate exactly (Cargo.toml pins "=0.2.130");
# change both together.
WASM_BINDGEN_VERSION := 0.2.130
TOOLS := $(CURDIR)/.tools
WASM_BINDGEN := $(TOOLS)/bin/wasm-bindgen
WASM_TARGET := wasm32-unknown-unknown
WASM_OPT := node_modules/.bin/wasm-opt
# The features rustc enables by default for wasm32 (since 1.82); wasm-opt must accept them.
WASM_FEATURES := --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
	--enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types
# -Oz, iterated to a fixed point; the low 1 KiB of memory is never used (the stack sits below the
# data, from 1 MiB down), so pointer arithmetic near zero can fold: 3 KB gzipped less than -Oz.
# The `producers` and `target_features` sections (the toolchain's names and versions, the
# features the code was compiled for) are read by no host: 260 bytes, 220 gzipped, less.
WASM_OPT_FLAGS := -Oz --converge --low-memory-unused --strip-producers --strip-target-features
PKG := www/pkg
YAML_TARGET_DIR := target/yaml-module
PORT ?= 8000
SAMPLE := www/samples/sample.har

export PATH := $(TOOLS)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: run test setup setup-browser build build-native build-wasm package check unit wasm-test-node wasm-test-browser hostile-node e2e npm-test test-bundlers fuzz bench clean

run: setup build
	@echo
	@echo "== Verdict of the bundled sample ($(SAMPLE)) =="
	@target/release/callstate analyze --format md $(SAMPLE) | sed -n '1,6p'
	@echo
	node scripts/serve.mjs --root www --port $(PORT)

test: setup setup-browser build check unit wasm-test-node wasm-test-browser hostile-node e2e npm-test test-bundlers
	@echo "All checks and tests passed."

# ---- setup -------------------------------------------------------------------------------

setup: $(WASM_BINDGEN) node_modules/.package-lock.json
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# Installed into a project-local folder so that the version cannot drift.
$(WASM_BINDGEN):
	cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium and its driver, for the browser tests (never a downloaded browser).
setup-browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# ---- build -------------------------------------------------------------------------------

build: build-native build-wasm

build-native:
	cargo build --release --locked --bin callstate

# Two modules from the one crate: the analyser, without a YAML parser, and the YAML module
# (`yaml-module`: YAML text in, JSON text out), which the page and the package load only when a
# YAML input appears. The YAML module has its own target directory: the same crate with other
# features would otherwise overwrite the analyser's un-optimised build (bench/sizes.mjs reads it).
build-wasm: setup
	cargo build --profile wasm --locked --lib --target $(WASM_TARGET) --no-default-features
	$(WASM_BINDGEN) --target web --out-dir $(PKG) --out-name callstate target/$(WASM_TARGET)/wasm/callstate.wasm
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(WASM_FEATURES) $(PKG)/callstate_bg.wasm -o $(PKG)/callstate_bg.wasm
	cargo build --profile wasm --locked --lib --target $(WASM_TARGET) --no-default-features --features yaml-module \
		--target-dir $(YAML_TARGET_DIR)
	$(WASM_BINDGEN) --target web --out-dir $(PKG) --out-name callstate_yaml $(YAML_TARGET_DIR)/$(WASM_TARGET)/wasm/callstate.wasm
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(WASM_FEATURES) $(PKG)/callstate_yaml_bg.wasm -o $(PKG)/callstate_yaml_bg.wasm
	@for module in callstate callstate_yaml; do \
		printf '%s wasm: %s bytes, %s gzipped\n' $$module \
			$$(wc -c < $(PKG)/$${module}_bg.wasm) $$(gzip -9c $(PKG)/$${module}_bg.wasm | wc -c); \
	done

# The npm package (target/npm/callstate/): the wasm, the facade in npm/, and the schemas and
# TypeScript types generated from the release CLI's `callstate schema`.
package: build-wasm build-native
	node scripts/build-npm.mjs

# ---- checks and tests --------------------------------------------------------------------

check:
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --lib --tests --target $(WASM_TARGET) -- -D warnings
	cargo clippy --locked --lib --target $(WASM_TARGET) --no-default-features -- -D warnings
	cargo clippy --locked --lib --target $(WASM_TARGET) --no-default-features --features yaml-module -- -D warnings

# Then the library as the main wasm module is built, without a YAML parser: YAML is refused
# clearly when no YAML module reads it.
unit:
	cargo test --locked
	cargo test --locked --no-default-features --lib formats::yaml

# The same wasm test file runs in Node and, with WASM_BINDGEN_USE_BROWSER, in headless Chromium.
wasm-test-node: setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test --locked --target $(WASM_TARGET) --test wasm

wasm-test-browser: setup setup-browser
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_USE_BROWSER=1 \
		cargo test --locked --target $(WASM_TARGET) --test wasm

# The hostile-input suite written by the native tests (target/hostile/), under wasm in Node.
hostile-node: build-wasm unit
	node --test tests/hostile/

e2e: build-wasm setup-browser unit
	node --test tests/e2e/

npm-test: package setup-browser
	node --test tests/npm/

# The packed package in Vite 8 and 7 (build and dev server) and webpack 5, run in Chromium.
test-bundlers: package setup-browser
	node --test tests/bundlers/

# Fuzzing (not part of `make test`): every target in fuzz/ for FUZZ_SECONDS each, two at a time,
# after replaying fuzz/regressions/. Needs only the stable toolchain (see fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

# Benchmarks (not part of `make test`; see bench/README.md): generated traces of 10 MB, 100 MB
# and 1 GB in two mixes (mixed, history), native against wasm in Node and in Chromium against
# JSON.parse, memory and sizes. BENCH_SIZES=10MB,100MB runs fewer sizes, BENCH_MIXES=history one
# mix; the tables also go to target/bench/results.json.
bench: setup setup-browser package
	WASM_FEATURES="$(WASM_FEATURES)" WASM_OPT_FLAGS="$(WASM_OPT_FLAGS)" node bench/run.mjs

clean:
	cargo clean
	rm -rf $(PKG)
