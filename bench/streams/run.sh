#!/usr/bin/env bash
# N concurrent Media Streams for S seconds against one `voiceagent serve` pinned to core 0 (one
# network thread), the load generator pinned to core 1 (release build).
# Usage: bench/streams/run.sh [streams=2000] [seconds=60]; VA_BENCH_BINARY=path runs another
# voiceagent as the server (a saved build, for an A/B comparison). VA_BENCH_MODE says what the
# agent does while the run is measured:
#   silent (default)  the greeting has played and the agent waits: no re-prompt or goodbye within
#                     10 minutes (the callee's frames alone, VAD included)
#   playing           the greeting lasts the whole run (every stream plays audio throughout)
#   conversation      a re-prompt after 2 s of silence, the goodbye after 6 s, then the hang-up:
#                     Twilio's REST API is this machine's closed port 1, so the hang-up fails
#                     and the agent closes the stream
set -euo pipefail
cd "$(dirname "$0")/../.."
streams=${1:-2000}
seconds=${2:-60}
scripts/setup
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent stream_bench >/dev/null
ulimit -n "$(ulimit -Hn)"  # a socket per stream on each side
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; [[ -n "${VA_BENCH_KEEP_LOG:-}" ]] && cp "$work/err" "$VA_BENCH_KEEP_LOG"; rm -rf "$work"' EXIT
mode=${VA_BENCH_MODE:-silent}
introduction="Hello, this is a reminder about your appointment tomorrow."
agent_flags=(--reprompt-ms 600000 --silence-hangup-ms 3600000)
case $mode in
  silent) ;;
  playing) introduction=$(printf 'Hello, this is a reminder about your appointment tomorrow at nine in the morning. %.0s' $(seq 11)) ;;
  conversation) agent_flags=(--reprompt-ms 2000 --silence-hangup-ms 6000) ;;
  *) echo "VA_BENCH_MODE: silent, playing or conversation"; exit 2 ;;
esac
token=bench-auth-token
export TWILIO_AUTH_TOKEN=$token  # secrets never in flags
taskset -c 0 "${VA_BENCH_BINARY:-build/release/src/app/voiceagent}" --log-level ${VA_BENCH_LOG_LEVEL:-warn} serve --listen 127.0.0.1:0 --db "sqlite:$work/va.db" \
  --threads 1 --compute-threads 1 --store-write-threads 4 --role web \
  --twilio-account-sid AC0123456789abcdef0123456789abcdef \
  --max-connections 0 --max-connections-per-ip 0 --twilio-from +15005550006 --public-url http://127.0.0.1:0 --stream-idle-seconds 600 \
  --twilio-api-base "${VA_BENCH_TWILIO_API:-http://127.0.0.1:1}" "${agent_flags[@]}" > "$work/out" 2> "$work/err" &
server=$!
until grep -q listening "$work/out"; do
  kill -0 $server 2>/dev/null || { cat "$work/err"; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/listening on //p' "$work/out")
prompt=$(curl -s -X POST "$url/api/prompts" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Bench\",\"content\":\"You remind people.\",\"introduction\":\"$introduction\"}" |
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
