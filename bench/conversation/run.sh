#!/usr/bin/env bash
# Conversations through the whole stack (release build): `voiceagent serve` (pocketsphinx, espeak,
# the scripted responder as an instant LLM) pinned to core 0, the phone simulator on core 1.
# C calls at once, R rounds; each callee answers three times in a flite voice. Prints each stage
# of every answer from the call logs, and the callee-side figure from the simulator's reports.
# stt=deepgram: the callees are heard through the tests' Deepgram stand-in (on core 1, answering
# every turn with the same words) instead of pocketsphinx: what the server itself spends then.
# VA_TTS_WORKERS: serve's --tts-workers (espeak in worker processes).
# Usage: bench/conversation/run.sh [concurrent=10] [rounds=3] [decoders=2] [stt=pocketsphinx]
set -euo pipefail
cd "$(dirname "$0")/../.."
concurrent=${1:-10}
rounds=${2:-3}
decoders=${3:-2}
stt=${4:-pocketsphinx}
source bench/conversation/stack.sh
cat > "$work/scenario.json" <<'JSON'
{"callsPerSecond": 100, "default": {"ringSeconds": 0.2, "hangupAfterSeconds": 120, "voice": "flite:rms",
 "script": [{"say": "Hi, yes, speaking.", "afterAgentSilenceMs": 700},
            {"say": "Yes, tomorrow at ten works for me.", "afterAgentSilenceMs": 700},
            {"say": "Thank you, bye.", "afterAgentSilenceMs": 700}]}}
JSON
start_sim
start_stt "$stt"
start_serve --stt-decoders "$decoders" --max-live-calls 1000
prompt=$(curl -s -X POST "$url/api/prompts" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","content":"You book checkups.","introduction":"Hello, this is Bright Smile Dental calling about your checkup."}' |
  sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
numbers=$(python3 -c "import json; print(json.dumps(['+141555526%02d' % i for i in range($concurrent)]))")
calls=()
for ((r = 0; r < rounds; r++)); do
  call=$(curl -s -X POST "$url/api/scheduled-calls" -H 'Content-Type: application/json' \
    -d "{\"toPhoneNumbers\":$numbers,\"promptId\":\"$prompt\",\"scheduledDateTime\":\"$(date -u +%FT%TZ)\"}" |
    sed 's/^{"id":"\([0-9a-f]*\)".*/\1/')
  [[ "$call" =~ ^[0-9a-f]{24}$ ]] || { echo "cannot schedule: $call"; exit 1; }
  calls+=("$call")
  start=$(date +%s)
  cpu0=$(awk '{print $14 + $15}' /proc/$server/stat)
  until curl -s "$url/api/scheduled-calls/$call" |
      python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["status"] != "completed")'; do
    (( $(date +%s) - start < 300 )) || { echo "round $r did not finish"; exit 1; }
    sleep 0.5
  done
  cpu1=$(awk '{print $14 + $15}' /proc/$server/stat)
  echo "round $((r + 1)): $concurrent conversations in $(( $(date +%s) - start )) s, server CPU $(( (cpu1 - cpu0) / $(getconf CLK_TCK) )) s"
done
sleep 1  # the last reports are written once each call has ended
for call in "${calls[@]}"; do curl -s "$url/api/call-logs?scheduledCallId=$call&limit=200"; echo; done > "$work/logs.jsonl"
python3 - "$work" <<'PY'
import glob, json, sys
work = sys.argv[1]
stages = {"sttFinalMs": [], "llmFirstTokenMs": [], "ttsFirstAudioMs": [], "voiceToVoiceMs": []}
steps = {"stt engine (final - 600 ms)": [], "llm (first token - stt)": [], "tts (first audio - llm)": [],
         "playout to heard (v2v - tts)": [], "server-added (v2v - stt final)": [],
         "server side (tts first audio - stt final)": []}
turns = cut = 0
for line in open(f"{work}/logs.jsonl"):
    if not line.strip(): continue
    for log in json.loads(line)["items"]:
        for t in log["transcript"]:
            l = t.get("latency")
            if t["role"] == "agent" and t["interrupted"]: cut += 1
            if not l or any(l.get(k) is None for k in stages): continue
            turns += 1
            for k in stages: stages[k].append(l[k])
            steps["stt engine (final - 600 ms)"].append(l["sttFinalMs"] - 600)
            steps["llm (first token - stt)"].append(l["llmFirstTokenMs"] - l["sttFinalMs"])
            steps["tts (first audio - llm)"].append(l["ttsFirstAudioMs"] - l["llmFirstTokenMs"])
            steps["playout to heard (v2v - tts)"].append(l["voiceToVoiceMs"] - l["ttsFirstAudioMs"])
            steps["server-added (v2v - stt final)"].append(l["voiceToVoiceMs"] - l["sttFinalMs"])
            steps["server side (tts first audio - stt final)"].append(l["ttsFirstAudioMs"] - l["sttFinalMs"])
callee = []
for path in glob.glob(f"{work}/CA*.json"):
    callee += json.load(open(path))["latency"]["calleeEndToAgentAudio"]["valuesMs"]
def pct(v, p): v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))] if v else None
print(f"{turns} answered turns ({cut} agent turns cut off)")
print("from the end of the callee's speech (VAD), ms:        p50    p90    p99    max")
for k, v in list(stages.items()) + list(steps.items()):
    print(f"  {k:48s} {pct(v,.5):6} {pct(v,.9):6} {pct(v,.99):6} {max(v):6}")
print(f"  {'callee-perceived (simulator: speech end -> audio)':48s} {pct(callee,.5):6} {pct(callee,.9):6} {pct(callee,.99):6} {max(callee):6}")
PY
