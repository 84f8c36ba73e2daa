#!/usr/bin/env bash
# API throughput: wrk against POST /api/scheduled-calls (10 recipients) and GET /api/scheduled-calls/{id}
# on the release build, with a fresh SQLite file (WAL, synchronous=FULL), or the store VA_BENCH_DB
# names (bench/with_congodb.sh sets it). Prints wrk's figures and the server's peak RSS.
# Usage: bench/api/run.sh [seconds=30] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
connections=${2:-64}
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release >/dev/null

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
# The server refuses times more than a year ahead: schedule everything for tomorrow.
when=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
sed "s/2099-01-01T00:00:00Z/$when/" bench/api/create.lua > "$dir/create.lua"

# The rate limit (50 requests/s per caller by default) is lifted: this measures the server.
build/release/src/app/voiceagent --log-level warn serve --listen 127.0.0.1:0 --db "${VA_BENCH_DB:-sqlite:$dir/bench.db}" \
  --allowed-countries US --api-rate-limit 1000000 --api-rate-burst 10000000 > "$dir/stdout" 2> "$dir/stderr" &
pid=$!
until grep -q listening "$dir/stdout"; do kill -0 $pid; sleep 0.1; done
base=$(head -1 "$dir/stdout" | sed 's/listening on //')

prompt=$(curl -sf -H 'Content-Type: application/json' \
  -d '{"name":"bench","content":"You are a benchmark.","introduction":"Hello"}' "$base/api/prompts" |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
# The call the GETs read has 10 recipients, like the ones the POSTs create.
numbers=$(printf '"+1415555%04d",' $(seq 2600 2609)); numbers=${numbers%,}
call=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"toPhoneNumbers\":[$numbers],\"promptId\":\"$prompt\",\"scheduledDateTime\":\"$when\"}" \
  "$base/api/scheduled-calls" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')

echo "== POST /api/scheduled-calls (10 recipients), ${seconds}s, $connections connections"
PROMPT_ID=$prompt wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$dir/create.lua" "$base/api/scheduled-calls"
echo "== GET /api/scheduled-calls/{id}, ${seconds}s, $connections connections"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "$base/api/scheduled-calls/$call"
echo "== server peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2 / 1024 " MiB"}')"
if grep -qE '\] (error|critical)' "$dir/stderr"; then echo "server errors:"; grep -E 'error|critical' "$dir/stderr" | head; fi
