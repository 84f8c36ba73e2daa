#!/usr/bin/env bash
# Dispatch lateness, store operations and CPU per dial (release build), against the in-process
# phone simulator, on a SQLite file or the store VA_BENCH_DB names (bench/with_congodb.sh sets it).
# Usage: bench/dispatch/run.sh [recipients=10000] [calls_per_second=100] [single_runs=30] [--prefill N]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target dispatch_bench >/dev/null
db=(); [ -n "${VA_BENCH_DB:-}" ] && db=(--db "$VA_BENCH_DB")
/usr/bin/time -f "peak RSS %M KiB, %e s wall, %U s user, %S s sys" build/release/bench/dispatch_bench "$@" "${db[@]}"
