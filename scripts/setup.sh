#!/usr/bin/env bash
# Installs whatever aelab needs that the machine lacks. Idempotent: every step
# checks first, so a second run costs a few seconds.
#   scripts/setup.sh          toolchain + npm packages (enough to build and serve)
#   scripts/setup.sh --test   also Chromium + ChromeDriver (for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=..."` pin in Cargo.toml
want_browser=0
[ "${1:-}" = "--test" ] && want_browser=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
  # Not --locked: the CLI's lock file pins a crate version crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Fashion-MNIST's IDX files, from which the build makes the page's second
# data set (and the CLI reads with --data).
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  say "installing Debian's dataset-fashion-mnist"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

if ! command -v zopfli >/dev/null; then
  say "installing Debian's zopfli (the build compresses the engine with it)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq zopfli >/dev/null
fi

if [ $want_browser = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  say "installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# ONNX Runtime (PyPI) for the test that runs the page's ONNX exports, in a
# venv of its own under target/ (nothing installed into the system Python).
ORT_VERSION=1.32.0
if [ $want_browser = 1 ] && [ "$(target/onnx-venv/bin/python -c 'import onnxruntime; print(onnxruntime.__version__)' 2>/dev/null)" != "$ORT_VERSION" ]; then
  say "installing onnxruntime $ORT_VERSION and numpy into target/onnx-venv (for the ONNX export test)"
  mkdir -p target
  python3 -m venv target/onnx-venv
  target/onnx-venv/bin/pip install --quiet "onnxruntime==$ORT_VERSION" numpy
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
