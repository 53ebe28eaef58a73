#!/usr/bin/env bash
# The native peer for `aelab bench`'s autoencode phase: installs JAX from PyPI
# into target/jax-venv (once; not part of the test command), runs
# bench/jax_ae.py on the MNIST IDX files, then aelab's own figure for the same
# phase, so the two are measured side by side on the same machine.
#   bench/jax.sh [MNIST_DIR]      (default ../shared/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
JAX_VERSION=0.10.2   # the newest for the machine's Python 3.11
data="${1:-../shared/mnist}"
if [ "$(target/jax-venv/bin/python -c 'import jax; print(jax.__version__)' 2>/dev/null)" != "$JAX_VERSION" ]; then
  echo "[jax] installing jax $JAX_VERSION into target/jax-venv" >&2
  mkdir -p target
  python3 -m venv target/jax-venv
  target/jax-venv/bin/pip install --quiet "jax==$JAX_VERSION" numpy
fi
target/jax-venv/bin/python bench/jax_ae.py "$data"
cargo run --quiet --release --bin aelab -- bench --data "$data" | grep "autoencode phase"
