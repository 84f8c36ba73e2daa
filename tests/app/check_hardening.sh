#!/usr/bin/env bash
# Checks the hardening of a built binary with readelf: PIE, full RELRO, stack canaries, and in an
# optimised build _FORTIFY_SOURCE's checked functions. Usage: check_hardening.sh BINARY BUILD_TYPE
set -euo pipefail
binary=$1 build_type=$2
fail() { echo "check_hardening: $binary: $*" >&2; exit 1; }
headers=$(readelf --file-header --program-headers --dynamic --wide "$binary")
symbols=$(readelf --dyn-syms --wide "$binary")
grep -Eq 'Type:[[:space:]]+DYN' <<<"$headers" || fail "not a position-independent executable"
grep -q 'GNU_RELRO' <<<"$headers" || fail "no RELRO segment"
grep -Eq 'BIND_NOW|FLAGS.*NOW' <<<"$headers" || fail "RELRO is partial: not linked with -z now"
grep -q '__stack_chk_fail' <<<"$symbols" || fail "no stack protector"
if [ "$build_type" != "Debug" ]; then
  grep -Eq '__[a-z_]+_chk@' <<<"$symbols" || fail "no _FORTIFY_SOURCE checked functions"
fi
echo "check_hardening: $binary: PIE, full RELRO, stack protector${build_type:+ ($build_type)}"
