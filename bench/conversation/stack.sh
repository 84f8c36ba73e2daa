# Sourced by the conversation benches (run.sh, quality.sh): the whole stack on this tree's release
# build, the phone simulator (and the Deepgram stand-in) pinned to core 1, `voiceagent serve` to
# core 0 (VA_BENCH_SERVER: another build's binary, for A/B runs). Makes $work, a folder removed
# on exit unless VA_BENCH_KEEP is set; the caller writes $work/scenario.json, then calls
# start_sim, start_stt STT [stand-in flags...] and start_serve [serve flags...], which set
# sim_url, stt_flags and url.
scripts/setup >/dev/null
cmake --preset release >/dev/null && cmake --build --preset release --target voiceagent deepgram_standin >/dev/null
work=$(mktemp -d)
sim="" deepgram="" server=""
trap 'kill $server $sim $deepgram 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${VA_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
account=AC0123456789abcdef0123456789abcdef
export TWILIO_AUTH_TOKEN=bench-auth-token  # for the simulator and serve: secrets never in flags

wait_listening() {  # file pid
  until grep -q listening "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || { cat "$work"/*.err; exit 1; }; sleep 0.1; done
  sed -n 's/listening on //p' "$1"
}

start_sim() {
  taskset -c 1 build/release/src/app/voiceagent --log-level warn sim --listen 127.0.0.1:0 --account-sid $account \
    --scenario "$work/scenario.json" --reports "$work" > "$work/sim.out" 2> "$work/sim.err" &
  sim=$!
  sim_url=$(wait_listening "$work/sim.out" $sim)
}

start_stt() {  # pocketsphinx | deepgram [stand-in flags...]
  stt_flags=(--stt "$1")
  [ "$1" = deepgram ] || return 0
  shift
  taskset -c 1 build/release/bench/deepgram_standin "$@" > "$work/deepgram.out" 2> "$work/deepgram.err" &
  deepgram=$!
  stt_flags+=(--deepgram-base-url "$(wait_listening "$work/deepgram.out" $deepgram)")
  export DEEPGRAM_API_KEY=bench-key
}

start_serve() {  # [serve flags...]
  taskset -c 0 "${VA_BENCH_SERVER:-build/release/src/app/voiceagent}" --log-level warn serve --listen 127.0.0.1:0 \
    --db "sqlite:$work/va.db" --threads 1 --compute-threads 1 "${stt_flags[@]}" --calls-per-second 100 \
    --twilio-api-base "$sim_url" --twilio-account-sid $account --twilio-from +15005550006 \
    --min-hours-between-calls-to-a-number 0 --public-url http://127.0.0.1:0 "$@" > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  url=$(wait_listening "$work/serve.out" $server)
}
