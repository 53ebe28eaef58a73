#!/usr/bin/env bash
# Fuzzes the readers of outside data with libFuzzer (cargo fuzz): the page's
# data file, the MNIST IDX files, the model file. Each target starts from the
# small seed corpus in fuzz/seeds/ and must neither panic nor accept garbage.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20, what CI runs)
# cargo fuzz needs nightly's sanitizer flags; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain take them, so CI installs no second toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
secs=${1:-20}
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz (about 2 minutes, once)" >&2
  cargo install cargo-fuzz --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1
for t in subset idx modelfile; do
  mkdir -p "fuzz/corpus/$t"
  echo "[fuzz] $t for ${secs} s" >&2
  log="fuzz/corpus/$t.log"
  if ! cargo fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "[fuzz] $t found a failure: the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E "^Done" "$log" >&2
done
