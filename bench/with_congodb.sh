#!/usr/bin/env bash
# Runs a benchmark against MongoDB: starts CongoDB (the test server scripts/setup installs into
# .deps/congodb), sets VA_BENCH_DB to its connection string, runs the command, stops CongoDB.
#   bench/with_congodb.sh bench/api/run.sh 30 64
#   bench/with_congodb.sh bench/dispatch/run.sh 3000 100 30
# CongoDB is a TypeScript server on one Node.js thread, not mongod: figures measure it too.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
out=$(mktemp)
node tests/support/congodb/serve.mjs .deps/congodb 0 > "$out" &
congo=$!
trap 'kill $congo 2>/dev/null || true; rm -f "$out"' EXIT
until [ -s "$out" ]; do kill -0 $congo; sleep 0.1; done
export VA_BENCH_DB="mongodb://127.0.0.1:$(head -1 "$out")/bench?directConnection=true"
"$@"
echo "== CongoDB peak RSS: $(grep VmHWM /proc/$congo/status | awk '{print $2 / 1024 " MiB"}')"
