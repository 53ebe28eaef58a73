#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: lints, native
# `cargo test` (maths, gradients, learning on real MNIST), the engine in
# headless Chromium (wasm-bindgen-test), and the page driven by Playwright.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
t0=$SECONDS
stage() { printf '\n\033[1m== %s\033[0m (at %ds)\n' "$*" "$((SECONDS - t0))"; }

stage "setup"
scripts/setup.sh --test
stage "build"
scripts/build.sh
stage "lint: rustfmt, clippy, Biome, tsc --checkJs"
cargo fmt --all -- --check
node_modules/.bin/biome ci
node_modules/.bin/tsc -p tsconfig.json
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
relaxed() { RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed "$@"; }
relaxed cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
stage "JS unit tests (node --test)"
node --test tests/js/
stage "native tests"
cargo test
stage "engine in headless Chromium (wasm-bindgen-test)"
# The SIMD build's. The relaxed-SIMD (FMA) build differs from it only in the
# kernels' multiply-add; it is tested in Chromium as shipped, on the same
# golden figures, by e2e/engine.test.mjs (a second wasm-bindgen-test build
# of it cost CI 200 s, nearly all compiling, for 4 s of tests).
cargo test --target wasm32-unknown-unknown --test web
stage "the page in headless Chromium (Playwright)"
node --test --test-concurrency=1 e2e/
stage "fuzzing the readers of outside data (20 s a target)"
scripts/fuzz.sh 20
stage "bench, quick mode (every engine runs and gives finite figures; not a speed test)"
node bench/run.mjs --quick
stage "all tests passed in $((SECONDS - t0)) s"
