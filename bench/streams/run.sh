#!/usr/bin/env bash
# N concurrent Media Streams for S seconds against one `voiceagent serve` pinned to core 0 (one
# network thread), the load generator pinned to core 1 (release build).
# Usage: bench/streams/run.sh [streams=2000] [seconds=60]; VA_BENCH_BINARY=path runs another
# voiceagent as the server (a saved build, for an A/B comparison).
set -euo pipefail
cd "$(dirname "$0")/../.."
streams=${1:-2000}
seconds=${2:-60}
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent stream_bench >/dev/null
ulimit -n "$(ulimit -Hn)"  # a socket per stream on each side
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
token=bench-auth-token
export TWILIO_AUTH_TOKEN=$token  # secrets never in flags
taskset -c 0 "${VA_BENCH_BINARY:-build/release/src/app/voiceagent}" --log-level warn serve --listen 127.0.0.1:0 --db "sqlite:$work/va.db" \
  --threads 1 --compute-threads 1 --store-write-threads 4 --role web \
  --twilio-account-sid AC0123456789abcdef0123456789abcdef \
  --max-connections 0 --max-connections-per-ip 0 --twilio-from +15005550006 --public-url http://127.0.0.1:0 --stream-idle-seconds 600 > "$work/out" 2> "$work/err" &
server=$!
until grep -q listening "$work/out"; do
  kill -0 $server 2>/dev/null || { cat "$work/err"; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/listening on //p' "$work/out")
prompt=$(curl -s -X POST "$url/api/prompts" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","content":"You remind people.","introduction":"Hello, this is a reminder about your appointment tomorrow."}' |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
call=$(curl -s -X POST "$url/api/scheduled-calls" -H 'Content-Type: application/json' \
  -d "{\"toPhoneNumbers\":[\"+14155552671\"],\"promptId\":\"$prompt\",\"scheduledDateTime\":\"$(date -u -d "+300 days" +%FT%TZ)\"}" |
  sed 's/^{"id":"\([0-9a-f]*\)".*/\1/')
[[ "$call" =~ ^[0-9a-f]{24}$ ]] || { echo "cannot schedule the call: $call"; exit 1; }
taskset -c 1 ${VA_BENCH_WRAPPER:-} build/release/bench/stream_bench --url "$url" --pid $server --token $token --call "$call" \
  --streams "$streams" --seconds "$seconds"
# Server-side times from its own histograms: the bucket bound under which 50% / 99% fall.
curl -s "$url/metrics" | awk '
  /^(http_request_duration_seconds|media_stream_first_audio_seconds)_bucket/ {
    name = $1; sub(/_bucket.*/, "", name); route = ""
    if (match($1, /route="[^"]*"/)) route = substr($1, RSTART + 7, RLENGTH - 8)
    if (name ~ /http/ && route != "/webhooks/twilio/incoming") next
    le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
    key = name; bounds[key, ++n[key]] = le; counts[key, n[key]] = $2
  }
  END {
    for (key in n) {
      total = counts[key, n[key]]
      p50 = ""; p99 = ""
      for (i = 1; i <= n[key]; i++) {
        if (p50 == "" && counts[key, i] >= 0.5 * total) p50 = bounds[key, i]
        if (p99 == "" && counts[key, i] >= 0.99 * total) p99 = bounds[key, i]
      }
      printf "%s (server): %d observations, p50 <= %s s, p99 <= %s s\n", key, total, p50, p99
    }
  }'
