#!/usr/bin/env bash
# Checks the shipped systemd unit: the lines it must state itself, the variable names it and the
# example environment file use, a stop timeout above the call drain, `systemd-analyze verify` of
# each role's instance and `systemd-analyze security` under a threshold.
# Usage: check_systemd.sh UNIT_DIR VOICEAGENT_BINARY
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: check_systemd.sh UNIT_DIR VOICEAGENT_BINARY" >&2; exit 2; }
unit=$1/voiceagent@.service env_example=$1/voiceagent.env.example
fail() { echo "check_systemd: $*" >&2; exit 1; }
# Exposure in tenths, as --threshold takes it: the unit scores 1.1 with systemd 252.
threshold=15
shipped_exec='ExecStart=/usr/local/bin/voiceagent '

command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze is missing: install the Debian package systemd (apt-get install systemd)"
version=$(systemd-analyze --version | awk 'NR == 1 { print $2 }')
[ "${version%%[!0-9]*}" -ge 250 ] 2>/dev/null ||
  fail "systemd $version: security --offline and --threshold need systemd 250 or newer"
for file in "$unit" "$env_example"; do [ -f "$file" ] || fail "$file: not there"; done
[ -x "$2" ] || fail "$2: not an executable"
binary=$(realpath "$2")

# Lines the unit states itself: DynamicUser= implies several, so the score would not notice one
# removed, and a drop-in turning DynamicUser off must not take them along.
for line in 'Environment=VA_ROLE=%i' 'DynamicUser=yes' 'StateDirectory=voiceagent' \
  'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'NoNewPrivileges=yes' \
  'CapabilityBoundingSet=' 'KillSignal=SIGTERM'; do
  grep -qxF -- "$line" "$unit" || fail "$unit: no line $line"
done

# Every variable set (examples in comments included) is one the binary reads: a flag's, or a
# secret's NAME_FILE (src/app/secrets.cpp). No secret value is set at all.
known=$({ "$binary" --help; "$binary" serve --help; } 2>/dev/null | grep -o 'Env:[A-Z0-9_]*' |
        cut -d: -f2)
known+=$'\n'$(printf '%s_FILE\n' LLM_API_KEY DEEPGRAM_API_KEY ELEVENLABS_API_KEY OPENAI_API_KEY)
grep -qx VA_ROLE <<<"$known" || fail "$binary: no Env:VA_ROLE in serve --help"
names=$(sed -nE 's/^#?(Unset)?Environment=([A-Z0-9_]+).*/\2/p' "$unit"
        sed -nE 's/^#?([A-Z][A-Z0-9_]*)=.*/\1/p' "$env_example")
for name in $names; do
  if [[ $name =~ (TOKEN|TOKENS|KEY)$ ]]; then
    fail "$name: a secret belongs in a credential, not the environment"
  fi
  grep -qx "$name" <<<"$known" || fail "$name: a variable voiceagent does not read"
done

# The stop timeout covers the call drain: the grace set in these files, else the binary's default.
timeout_line=$(grep -m1 '^TimeoutStopSec=' "$unit") || fail "$unit: no TimeoutStopSec="
timeout_us=$(systemd-analyze timespan "${timeout_line#*=}" |
             awk '$1 ~ /s:$/ && $2 ~ /^[0-9]+$/ { print $2 }')
[ -n "$timeout_us" ] || fail "$timeout_line: not a finite time span"
grace=$(sed -nE 's/^(Environment=)?VA_SHUTDOWN_GRACE_SECONDS=([0-9]+).*/\2/p' "$unit" "$env_example" |
        tail -1)
[ -n "$grace" ] || grace=$("$binary" serve --help 2>/dev/null |
                           sed -nE 's/.*--shutdown-grace-seconds .*=([0-9]+) .*/\1/p')
[ -n "$grace" ] || fail "$binary: no --shutdown-grace-seconds default in serve --help"
[ "$timeout_us" -ge $(((grace + 5) * 1000000)) ] ||
  fail "$timeout_line: not 5 s above the ${grace} s call drain (VA_SHUTDOWN_GRACE_SECONDS)"

# A copy that differs only in ExecStart's binary: verify wants the executable to exist. Only this
# directory is searched, so units installed on this machine (or their drop-ins) play no part.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ "$(grep -c "^$shipped_exec" "$unit")" -eq 1 ] || fail "$unit: no line starting $shipped_exec"
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line == "$shipped_exec"* ]]; then line="ExecStart=$binary ${line#"$shipped_exec"}"; fi
  printf '%s\n' "$line"
done <"$unit" >"$tmp/voiceagent@.service"
[ "$(diff "$unit" "$tmp/voiceagent@.service" | grep -c '^[<>]')" -eq 2 ] ||
  fail "the copy differs in more than ExecStart"
export SYSTEMD_UNIT_PATH=$tmp

# An instance's path loads the template beside it. --recursive-errors=no: the targets it is
# ordered against are not in this directory. Any output is a warning: warnings exit 0.
instances=("$tmp"/voiceagent@{web,dispatcher,all}.service)
if ! out=$(systemd-analyze verify --man=no --recursive-errors=no "${instances[@]}" 2>&1) ||
   [ -n "$out" ]; then
  fail "systemd-analyze verify:"$'\n'"$(awk '!seen[$0]++' <<<"${out//$tmp/$1}")"
fi

limit=$((threshold / 10)).$((threshold % 10))
rc=0
out=$(systemd-analyze security --offline=yes --threshold="$threshold" --no-pager "${instances[0]}" \
      2>&1) || rc=$?
exposure=$(grep -o 'exposure level for [^:]*: [0-9.]*' <<<"$out" | awk '{ print $NF }') || true
[ -n "$exposure" ] || fail "systemd-analyze security: no exposure level in:"$'\n'"$out"
exposed=$(grep '✗' <<<"$out" | awk '{ print "  exposed:", $2, $NF }') || true
[ "$rc" -eq 0 ] || fail "systemd-analyze security: exposure $exposure, over $limit:"$'\n'"$exposed"
echo "$exposed"
echo "check_systemd: $unit: verified (systemd $version); exposure $exposure, at most $limit"
