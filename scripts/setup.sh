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

# Debian's packages in one apt run (one index update): Fashion-MNIST's IDX
# files, from which the build makes the page's second data set (and the CLI
# reads with --data); zopfli (the build compresses the engine with it); and
# for the browser tests Chromium + ChromeDriver. apt downloads while cargo
# compiles the wasm-bindgen CLI below, so the two overlap.
apt_packages=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || apt_packages+=(dataset-fashion-mnist)
command -v zopfli >/dev/null || apt_packages+=(zopfli)
if [ $want_browser = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  apt_packages+=(chromium chromium-driver)
fi
apt_pid=
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing Debian's ${apt_packages[*]}"
  ( export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${apt_packages[@]}" >/dev/null ) &
  apt_pid=$!
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes on a fresh machine, once)"
  # Not --locked: the CLI's lock file pins a crate version crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ -n "$apt_pid" ] && ! wait "$apt_pid"; then
  echo "[setup] apt-get install ${apt_packages[*]} failed" >&2
  exit 1
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
