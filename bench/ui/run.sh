#!/usr/bin/env bash
# The UI's first page on loopback (bench/ui/first_page.mjs): release build, Debian's Chromium.
# Usage: bench/ui/run.sh [runs=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent >/dev/null
VA_BINARY=build/release/src/app/voiceagent node bench/ui/first_page.mjs "${1:-30}"
