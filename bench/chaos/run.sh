#!/usr/bin/env bash
# kill -9 a dispatching `voiceagent serve` at random points, RUNS times (default 1000), and check
# that nobody is called twice and everybody reaches a final state (tests/integration/chaos_test.cpp;
# CTest runs it 50 times under the `slow` label). Debug build with ASan + UBSan, like the tests.
# Usage: bench/chaos/run.sh [runs=1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup
cmake --preset debug >/dev/null && cmake --build --preset debug --target va_chaos_tests voiceagent >/dev/null
VA_CHAOS_RUNS=${1:-1000} VA_BINARY=build/debug/src/app/voiceagent build/debug/tests/integration/va_chaos_tests
