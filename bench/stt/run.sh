#!/usr/bin/env bash
# pocketsphinx's accuracy, final-word latency, real-time factor and reproducibility on phone-line
# clips, with and without the second search pass (release build). Usage: bench/stt/run.sh [sentences=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target stt_bench >/dev/null
/usr/bin/time -f "peak RSS %M KiB, %e s wall, %U s user, %S s sys" build/release/bench/stt_bench "$@"
