#!/usr/bin/env bash
# How the agent takes turns (issue 21), through the whole stack in real time (release build):
# `voiceagent serve` (espeak, the scripted responder as an instant LLM) pinned to core 0, the phone
# simulator (and the Deepgram stand-in) on core 1. Each of CALLS callees (fixed seed) says a
# backchannel over the greeting, pauses inside an answer (two in three), interrupts the first
# reply and gives a short answer to the second (behaviours.py); LINE adds noise at 20 or 10 dB
# SNR and a −20 dB echo of the agent. Prints the issue's table from the simulator's reports.
# stt=deepgram: heard through the Deepgram stand-in, which says each word of the callee's
# utterances word_lag after it is spoken (bench/stt/deepgram_standin_main.cpp).
# VA_BENCH_SERVER=<voiceagent binary>: serve with that build (A/B runs; the simulator and the
# stand-in stay this tree's).
# Usage: bench/conversation/quality.sh [stt=pocketsphinx] [line=clean|20|10] [calls=60] [concurrent=5] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
stt=${1:-pocketsphinx}
line=${2:-clean}
calls=${3:-60}
concurrent=${4:-5}
seed=${5:-1}
scripts/setup >/dev/null
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent deepgram_standin >/dev/null
work=$(mktemp -d)
deepgram=""
trap 'kill $server $sim $deepgram 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${VA_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
account=AC0123456789abcdef0123456789abcdef
export TWILIO_AUTH_TOKEN=bench-auth-token  # for the simulator and serve: secrets never in flags
python3 bench/conversation/behaviours.py scenario "$calls" "$seed" "$line" > "$work/scenario.json"
wait_listening() {  # file pid
  until grep -q listening "$1"; do kill -0 "$2" 2>/dev/null || { cat "$work"/*.err; exit 1; }; sleep 0.1; done
  sed -n 's/listening on //p' "$1"
}
taskset -c 1 build/release/src/app/voiceagent --log-level warn sim --listen 127.0.0.1:0 --account-sid $account \
  --scenario "$work/scenario.json" --reports "$work" > "$work/sim.out" 2> "$work/sim.err" &
sim=$!
sim_url=$(wait_listening "$work/sim.out" $sim)
stt_flags=(--stt "$stt")
if [ "$stt" = deepgram ]; then
  taskset -c 1 build/release/bench/deepgram_standin --scenario "$work/scenario.json" > "$work/deepgram.out" 2> "$work/deepgram.err" &
  deepgram=$!
  stt_flags+=(--deepgram-base-url "$(wait_listening "$work/deepgram.out" $deepgram)")
  export DEEPGRAM_API_KEY=bench-key
fi
taskset -c 0 "${VA_BENCH_SERVER:-build/release/src/app/voiceagent}" --log-level warn serve --listen 127.0.0.1:0 --db "sqlite:$work/va.db" \
  --threads 1 --compute-threads 1 "${stt_flags[@]}" --calls-per-second 100 --max-live-calls "$concurrent" \
  --twilio-api-base "$sim_url" --twilio-account-sid $account \
  --twilio-from +15005550006 --min-hours-between-calls-to-a-number 0 --public-url http://127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!
url=$(wait_listening "$work/serve.out" $server)
prompt=$(curl -s -X POST "$url/api/prompts" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","content":"You book checkups.","introduction":"Hello, this is Bright Smile Dental calling about your checkup next week."}' |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
call=$(curl -s -X POST "$url/api/scheduled-calls" -H 'Content-Type: application/json' \
  -d "{\"toPhoneNumbers\":$(python3 bench/conversation/behaviours.py numbers "$calls"),\"promptId\":\"$prompt\",\"scheduledDateTime\":\"$(date -u +%FT%TZ)\"}" |
  sed 's/^{"id":"\([0-9a-f]*\)".*/\1/')
[[ "$call" =~ ^[0-9a-f]{24}$ ]] || { echo "cannot schedule: $call"; exit 1; }
start=$(date +%s)
done_yet() { curl -s "$url/api/scheduled-calls/$call" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["status"] != "completed")'; }
until done_yet; do
  (( $(date +%s) - start < 3600 )) || { echo "the calls did not finish"; exit 1; }
  sleep 1
done
sleep 1  # the last reports are written once each call has ended
[ -z "${VA_BENCH_KEEP:-}" ] || echo "work: $work"
echo "stt $stt, line $line, seed $seed, $concurrent at once, $(( $(date +%s) - start )) s"
python3 bench/conversation/behaviours.py score "$work"
