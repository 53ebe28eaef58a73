#!/usr/bin/env bash
# Installs what is missing, builds, and serves the lab on http://127.0.0.1:PORT/
# (PORT defaults to 8080; set PORT=0 for any free port).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec node tools/serve.mjs
