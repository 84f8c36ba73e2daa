#!/usr/bin/env bash
# How the agent takes turns (issue 21), through the whole stack in real time (release build):
# `voiceagent serve` (espeak, the scripted responder as an instant LLM) pinned to core 0, the phone
# simulator (and the Deepgram stand-in) on core 1. Each of CALLS callees (fixed seed) says a
# backchannel over the greeting, pauses inside an answer (two in three), interrupts the first
# reply and gives a short answer to the second (behaviours.py); LINE adds a −20 dB echo of the
# agent, alone (echo) or under noise at 20 or 10 dB SNR. Prints the issue's table from the
# simulator's reports.
# stt=deepgram: heard through the Deepgram stand-in, which says each word of the callee's
# utterances word_lag after it is spoken (bench/stt/deepgram_standin_main.cpp).
# VA_BENCH_SERVER=<voiceagent binary>: serve with that build (A/B runs; the simulator and the
# stand-in stay this tree's). VA_BENCH_KEEP=1: keep the work folder (reports, database, logs).
# Usage: bench/conversation/quality.sh [stt=pocketsphinx] [line=clean|echo|20|10] [calls=60] [concurrent=5] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
stt=${1:-pocketsphinx}
line=${2:-clean}
calls=${3:-60}
concurrent=${4:-5}
seed=${5:-1}
source bench/conversation/stack.sh
python3 bench/conversation/behaviours.py scenario "$calls" "$seed" "$line" > "$work/scenario.json"
start_sim
start_stt "$stt" --scenario "$work/scenario.json"
start_serve --max-live-calls "$concurrent"
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
