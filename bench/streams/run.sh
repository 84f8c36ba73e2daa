#!/usr/bin/env bash
# N concurrent Media Streams for S seconds against one `voiceagent serve` pinned to core 0 (one
# network thread), the load generator pinned to core 1 (release build).
# Usage: bench/streams/run.sh [streams=2000] [seconds=60]
set -euo pipefail
cd "$(dirname "$0")/../.."
streams=${1:-2000}
seconds=${2:-60}
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent stream_bench >/dev/null
ulimit -n 65536
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
token=bench-auth-token
taskset -c 0 build/release/src/app/voiceagent serve --listen 127.0.0.1:0 --db "sqlite:$work/va.db" --threads 1 \
  --compute-threads 1 --store-write-threads 4 --no-dispatcher --log-level warn \
  --twilio-account-sid AC0123456789abcdef0123456789abcdef --twilio-auth-token $token \
  --twilio-from +15005550006 --public-url http://127.0.0.1:0 --stream-idle-seconds 600 > "$work/out" 2> "$work/err" &
server=$!
until grep -q listening "$work/out"; do sleep 0.1; done
url=$(sed -n 's/listening on //p' "$work/out")
prompt=$(curl -s -X POST "$url/api/prompts" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","content":"You remind people.","introduction":"Hello, this is a reminder about your appointment tomorrow."}' |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
call=$(curl -s -X POST "$url/api/scheduled-calls" -H 'Content-Type: application/json' \
  -d "{\"toPhoneNumbers\":[\"+14155550100\"],\"promptId\":\"$prompt\",\"scheduledDateTime\":\"2030-01-01T00:00:00Z\"}" |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' | head -c 24)
taskset -c 1 build/release/bench/stream_bench --url "$url" --pid $server --token $token --call "$call" \
  --streams "$streams" --seconds "$seconds"
