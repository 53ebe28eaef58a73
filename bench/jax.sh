#!/usr/bin/env bash
# The native peer for `aelab bench`'s autoencode phase: installs JAX from PyPI
# into target/jax-venv (once; not part of the test command), then runs
# bench/jax_ae.py and `aelab bench --phase` on the MNIST IDX files taking
# turns, ROUNDS times, so both are timed in the same stretch of the host's
# drifting speed; prints each round's pair and ratio, then best against best.
#   bench/jax.sh [MNIST_DIR [ROUNDS]]      (defaults ../shared/mnist, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
JAX_VERSION=0.10.2   # the newest for the machine's Python 3.11
data="${1:-../shared/mnist}"
rounds="${2:-3}"
if [ "$(target/jax-venv/bin/python -c 'import jax; print(jax.__version__)' 2>/dev/null)" != "$JAX_VERSION" ]; then
  echo "[jax] installing jax $JAX_VERSION into target/jax-venv" >&2
  mkdir -p target
  python3 -m venv target/jax-venv
  target/jax-venv/bin/pip install --quiet "jax==$JAX_VERSION" numpy
fi
cargo build --quiet --release --bin aelab
echo "| round | JAX s | aelab s | JAX ÷ aelab |"
echo "|---:|---:|---:|---:|"
best_jax=inf best_aelab=inf
for round in $(seq "$rounds"); do
  line=$(target/jax-venv/bin/python bench/jax_ae.py "$data")
  jax=$(sed -E 's/.*"seconds": ([0-9.]+).*/\1/' <<<"$line")
  out=$(target/release/aelab bench --phase --data "$data")
  aelab=$(sed -nE 's/.*batch [0-9]+: ([0-9.]+) s,.*/\1/p' <<<"$out")
  # The phase's FLOPs, from aelab's own rate, and the host's multiply-add ceiling.
  gflop=$(sed -nE 's/.* s, [0-9]+ samples\/s, ([0-9.]+) GFLOP\/s.*/\1/p' <<<"$out" | awk -v a="$aelab" '{ print $1 * a }')
  ceiling=$(sed -nE 's/^multiply-add ceiling: ([0-9.]+) GFLOP.*/\1/p' <<<"$out")
  ratio=$(awk -v j="$jax" -v a="$aelab" 'BEGIN { printf "%.2f", j / a }')
  echo "| $round | $jax | $aelab | ${ratio}× |"
  best_jax=$(awk -v b="$best_jax" -v x="$jax" 'BEGIN { print (x < b ? x : b) }')
  best_aelab=$(awk -v b="$best_aelab" -v x="$aelab" 'BEGIN { print (x < b ? x : b) }')
done
echo "$(sed -E 's/.*"engine": "([^"]+)".*/\1/' <<<"$line"): best $best_jax s; aelab best $best_aelab s; best against best $(awk -v j="$best_jax" -v a="$best_aelab" 'BEGIN { printf "%.2f", j / a }')×"
awk -v g="$gflop" -v c="$ceiling" -v j="$best_jax" -v a="$best_aelab" 'BEGIN {
  printf "multiply-add ceiling (last round): %.1f GFLOP/s; at their best JAX ran at %.0f%% of it, aelab at %.0f%%\n", c, g / j / c * 100, g / a / c * 100 }'
