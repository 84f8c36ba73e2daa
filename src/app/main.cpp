// voiceagent: scheduled AI voice calls. Subcommands parse flags (each with an environment variable)
// and hand a plain config to the part that runs.
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "app/demo.hpp"
#include "app/store_copy.hpp"
#include "app/logging.hpp"
#include "app/secrets.hpp"
#include "app/serve.hpp"
#include "app/sim.hpp"
#include "core/phone.hpp"
#include "speech/tts_worker.hpp"
#include "speech/voice.hpp"

namespace {

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        auto item = text.substr(start, end - start);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

// A flag that used to take a secret: it still parses, so that using it gets a hint, not "unknown".
CLI::Option* add_retired(CLI::App* app, const std::string& flag, std::string& into) {
    return app->add_option(flag, into)->group("");
}

int retired(const std::string& flag, const std::string& instead) {
    std::cerr << "voiceagent: " << flag << " is gone: a secret on the command line shows in `ps` to every user. Use "
              << instead << "\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"voiceagent: scheduled AI voice calls over Twilio"};
    app.require_subcommand(1);
    std::string log_format = "text";
    std::string log_level = "info";
    app.add_option("--log-format", log_format, "text or json")->envname("VA_LOG_FORMAT")->check(CLI::IsMember({"text", "json"}));
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->envname("VA_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

    va::app::ServeConfig serve;
    std::string tokens_file;
    std::string twilio_token_file;
    std::string countries;
    std::string retired_value;
    auto* serve_cmd = app.add_subcommand("serve", "Run the API server");
    serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0 picks a free port)")
        ->envname("VA_LISTEN")
        ->capture_default_str();
    auto* db_option =
        serve_cmd
            ->add_option("--db", serve.store.db, "Storage: sqlite:PATH, or a MongoDB connection string (mongodb://…; one with a "
                         "password belongs in VA_DB or --db-file, not on the command line)")
            ->envname("VA_DB")
            ->capture_default_str();
    std::string db_file;
    serve_cmd->add_option("--db-file", db_file, "File holding the --db value (a connection string with a password)")
        ->envname("VA_DB_FILE");
    serve_cmd->add_option("--mongodb-database", serve.store.mongodb_database,
                          "MongoDB: the database (default: the connection string's path, else voiceagent)")
        ->envname("VA_MONGODB_DATABASE");
    int store_timeout_ms = 1000;
    serve_cmd->add_option("--store-timeout-ms", store_timeout_ms,
                          "MongoDB: the longest a store call may take before the API answers 503 store_unavailable")
        ->envname("VA_STORE_TIMEOUT_MS")
        ->check(CLI::Range(1, 600'000))
        ->capture_default_str();
    serve_cmd->add_option("--api-tokens-file", tokens_file,
                          "File of API tokens, one '<token> [read,write,transcripts]' per line (VA_API_TOKENS also "
                          "works: comma-separated, every scope); none = requests from this machine only")
        ->envname("VA_API_TOKENS_FILE");
    auto* retired_tokens = add_retired(serve_cmd, "--api-tokens", retired_value);
    serve_cmd->add_flag("--insecure-open-api", serve.insecure_open_api,
                        "Start without API tokens although VA_PUBLIC_URL is public (the API then serves requests that "
                        "look local, which a same-host proxy can make any request look)")
        ->envname("VA_INSECURE_OPEN_API");
    serve_cmd->add_flag("--public-metrics", serve.public_metrics,
                        "Serve /metrics without a token although API tokens are configured (for a Prometheus that "
                        "sends none)")
        ->envname("VA_PUBLIC_METRICS");
    serve_cmd->add_option("--api-rate-limit", serve.api_rate_limit.per_second,
                          "API requests per second per token (per client address without tokens)")
        ->envname("VA_API_RATE_LIMIT")
        ->check(CLI::Range(0.1, 1e6))
        ->capture_default_str();
    serve_cmd->add_option("--api-rate-burst", serve.api_rate_limit.burst, "API requests a token may send at once")
        ->envname("VA_API_RATE_BURST")
        ->check(CLI::Range(1.0, 1e7))
        ->capture_default_str();
    serve_cmd->add_option("--max-connections", serve.max_connections, "Open connections at once (0 = no cap)")
        ->envname("VA_MAX_CONNECTIONS")
        ->check(CLI::Range(0, 10'000'000))
        ->capture_default_str();
    serve_cmd->add_option("--max-connections-per-ip", serve.max_connections_per_ip,
                          "Open connections from one client address (0 = no cap)")
        ->envname("VA_MAX_CONNECTIONS_PER_IP")
        ->check(CLI::Range(0, 10'000'000))
        ->capture_default_str();
    serve_cmd->add_option("--header-timeout-seconds", serve.header_timeout_seconds,
                          "Close a connection that has not sent a whole request head in this long")
        ->envname("VA_HEADER_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    serve_cmd->add_option("--live-poll-ms", serve.live_poll_ms,
                          "How often a browser's live view reads its call from the store (changes other processes "
                          "make arrive this way)")
        ->envname("VA_LIVE_POLL_MS")
        ->check(CLI::Range(50, 60'000))
        ->capture_default_str();
    serve_cmd->add_option("--threads", serve.threads, "Network threads (0 = one per core)")
        ->envname("VA_THREADS")
        ->check(CLI::Range(0, 64));
    serve_cmd->add_option("--compute-threads", serve.compute_threads,
                          "Threads for store reads and CPU-bound work (0 = one per core)")
        ->envname("VA_COMPUTE_THREADS")
        ->check(CLI::Range(0, 256));
    serve_cmd->add_option("--store-write-threads", serve.store_write_threads,
                          "Threads for store writes (each waits for a group commit)")
        ->envname("VA_STORE_WRITE_THREADS")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    serve_cmd->add_option("--phone-default-region", serve.phone_default_region,
                          "Region (e.g. US) for numbers written without +country code; unset = require +")
        ->envname("VA_PHONE_DEFAULT_REGION")
        ->check([](const std::string& r) { return va::core::is_known_region(r) ? "" : "unknown region " + r; });
    serve_cmd->add_option("--allowed-countries", countries,
                          "Regions that may be called (e.g. US,CA), or all; unset = the country of TWILIO_FROM_NUMBER")
        ->envname("VA_ALLOWED_COUNTRIES");
    serve_cmd->add_flag("--allow-premium-numbers", serve.allow_premium_numbers,
                        "Allow premium-rate and shared-cost numbers (refused by default: toll fraud)")
        ->envname("VA_ALLOW_PREMIUM_NUMBERS");
    serve_cmd->add_flag("--allow-special-numbers", serve.allow_special_numbers,
                        "Allow personal, UAN, voicemail-access, pager and non-geographic (+800) numbers")
        ->envname("VA_ALLOW_SPECIAL_NUMBERS");

    auto& d = serve.dispatch;
    std::string role = "all";
    auto* role_option =
        serve_cmd->add_option("--role", role, "web (the API, webhooks and streams), dispatcher (dials; health and metrics "
                                              "only) or all")
            ->envname("VA_ROLE")
            ->check(CLI::IsMember({"all", "web", "dispatcher"}))
            ->capture_default_str();
    bool no_dispatcher = false;
    serve_cmd->add_flag("--no-dispatcher", no_dispatcher, "Same as --role web")->envname("VA_NO_DISPATCHER");
    std::string trusted_proxies;
    serve_cmd->add_option("--trusted-proxies", trusted_proxies,
                          "Reverse proxies (CIDR or address, comma-separated) whose X-Forwarded-For names the client "
                          "for the per-address cap and the rate limit; they are exempt from the cap themselves")
        ->envname("VA_TRUSTED_PROXIES");
    serve_cmd->add_option("--twilio-api-base", d.api_base, "Twilio's REST base URL (the simulator's, for local use)")
        ->envname("TWILIO_API_BASE")
        ->capture_default_str();
    serve_cmd->add_option("--twilio-account-sid", d.account_sid, "Twilio AccountSid")->envname("TWILIO_ACCOUNT_SID");
    serve_cmd->add_option("--twilio-auth-token-file", twilio_token_file,
                          "File holding the Twilio AuthToken (REST auth and webhook signatures); or set TWILIO_AUTH_TOKEN")
        ->envname("TWILIO_AUTH_TOKEN_FILE");
    auto* retired_twilio_token = add_retired(serve_cmd, "--twilio-auth-token", retired_value);
    serve_cmd->add_option("--twilio-from", d.from_number, "The number calls come from (E.164)")
        ->envname("TWILIO_FROM_NUMBER");
    serve_cmd->add_option("--public-url", d.public_url, "Where Twilio reaches this server, e.g. https://va.example.com")
        ->envname("VA_PUBLIC_URL");
    serve_cmd->add_option("--calls-per-second", d.calls_per_second, "Twilio's calls-per-second limit, for all workers")
        ->envname("VA_CALLS_PER_SECOND")
        ->check(CLI::Range(0.01, 1000.0))
        ->capture_default_str();
    serve_cmd->add_option("--max-live-calls", d.max_live_calls, "Calls being dialed or live at once, for all workers")
        ->envname("VA_MAX_LIVE_CALLS")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    auto* sweep_option = serve_cmd
                             ->add_option("--dispatch-sweep-seconds", d.sweep_seconds,
                                          "Look for calls scheduled by other processes at least this often (default "
                                          "30; 2 with --role dispatcher, which schedules none itself)")
                             ->envname("VA_DISPATCH_SWEEP_SECONDS")
                             ->check(CLI::Range(1, 3600));
    serve_cmd->add_option("--ring-timeout-seconds", d.ring_timeout_seconds, "How long a call rings (Twilio's Timeout)")
        ->envname("VA_RING_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    serve_cmd->add_option("--max-call-seconds", d.max_call_seconds, "Longest call (Twilio's TimeLimit)")
        ->envname("VA_MAX_CALL_SECONDS")
        ->check(CLI::Range(10, 14400))
        ->capture_default_str();
    serve_cmd->add_option("--machine-detection", d.machine_detection, "Enable or DetectMessageEnd; unset = off")
        ->envname("VA_MACHINE_DETECTION")
        ->check(CLI::IsMember({"Enable", "DetectMessageEnd"}));
    serve_cmd->add_option("--twilio-timeout-seconds", d.request_timeout_seconds, "Deadline of one Twilio REST request")
        ->envname("VA_TWILIO_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 60))
        ->capture_default_str();
    serve_cmd->add_option("--reconcile-grace-seconds", d.reconcile_grace_seconds,
                          "After an ambiguous dial, how long to look for the call in Twilio before redialing")
        ->envname("VA_RECONCILE_GRACE_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    serve_cmd->add_option("--status-check-seconds", d.status_check_seconds,
                          "How often a live call whose final status has not arrived is fetched from Twilio")
        ->envname("VA_STATUS_CHECK_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    serve_cmd->add_option("--retry-max-attempts", d.retry_max_attempts,
                          "Calls per recipient when they are busy, do not answer or fail (1 = no redial)")
        ->envname("VA_RETRY_MAX_ATTEMPTS")
        ->check(CLI::Range(1, 10))
        ->capture_default_str();
    serve_cmd->add_option("--retry-delay-seconds", d.retry_delay_seconds, "Wait before a redial")
        ->envname("VA_RETRY_DELAY_SECONDS")
        ->check(CLI::Range(10, 86400))
        ->capture_default_str();
    serve_cmd->add_option("--max-dials-per-day", d.max_dials_per_day,
                          "Dials per UTC day, for all workers; past it recipients wait for the next day")
        ->envname("VA_MAX_DIALS_PER_DAY")
        ->check(CLI::Range(1, 100'000'000))
        ->capture_default_str();
    serve_cmd->add_option("--retention-days", serve.retention_days,
                          "Purge finished calls older than this many days: their transcripts, and all but the last 4 "
                          "digits of their numbers (the cooldown's history stays); unset = keep them")
        ->envname("VA_RETENTION_DAYS")
        ->check(CLI::Range(1, 36'500));
    serve_cmd->add_option("--min-hours-between-calls-to-a-number", d.min_hours_between_calls,
                          "A number dialed from another scheduled call this recently waits (0 = off)")
        ->envname("VA_MIN_HOURS_BETWEEN_CALLS_TO_A_NUMBER")
        ->check(CLI::Range(0, 8760))
        ->capture_default_str();

    serve_cmd->add_option("--tts-voice", serve.tts_voice, "The agent's voice: espeak:<voice>, flite:rms|awb|slt|kal, elevenlabs:<voice id> (ELEVENLABS_API_KEY) or "
                          "openai:<voice> (OPENAI_API_KEY)")
        ->envname("VA_TTS_VOICE")
        ->capture_default_str();
    serve_cmd->add_option("--inbound-prompt-id", serve.inbound_prompt_id,
                          "The prompt for calls to our number; unset = they are declined politely")
        ->envname("VA_INBOUND_PROMPT_ID");
    serve_cmd->add_option("--stream-idle-seconds", serve.stream_idle_seconds,
                          "Close a Media Stream that sends no audio for this long")
        ->envname("VA_STREAM_IDLE_SECONDS")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    serve_cmd->add_option("--max-stream-seconds", serve.max_stream_seconds, "Longest Media Stream")
        ->envname("VA_MAX_STREAM_SECONDS")
        ->check(CLI::Range(10, 4 * 3600))
        ->capture_default_str();
    serve_cmd->add_flag("--allow-unsigned-streams", serve.allow_unsigned_streams,
                        "Accept a Media Streams upgrade without X-Twilio-Signature (the stream token is still checked)")
        ->envname("VA_ALLOW_UNSIGNED_STREAMS");

    auto& agent = serve.agent;
    auto& talk = agent.settings;
    serve_cmd->add_option("--agent", agent.kind, "Who talks on a call: conversation, or greeting (the introduction only)")
        ->envname("VA_AGENT")
        ->check(CLI::IsMember({"conversation", "greeting"}))
        ->capture_default_str();
    serve_cmd->add_option("--llm-base-url", agent.llm_base_url,
                          "OpenAI-compatible API, e.g. https://api.openai.com/v1 (key in LLM_API_KEY); unset = a "
                          "scripted responder")
        ->envname("LLM_BASE_URL");
    serve_cmd->add_option("--llm-model", agent.llm_model, "The model")->envname("LLM_MODEL")->capture_default_str();
    serve_cmd->add_option("--llm-timeout-seconds", agent.llm_timeout_seconds, "Wait this long for the model's first token")
        ->envname("VA_LLM_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 120))
        ->capture_default_str();
    serve_cmd->add_option("--llm-max-tokens", agent.llm_max_tokens, "The longest answer the model may write, in tokens")
        ->envname("LLM_MAX_TOKENS")
        ->check(CLI::Range(1, 16384))
        ->capture_default_str();
    serve_cmd
        ->add_option_function<std::string>(
            "--llm-models", [&agent](const std::string& list) { agent.llm_models = split_list(list); },
            "Models a prompt's llmModel may name, comma-separated (the --llm-model always may); unset = any")
        ->envname("VA_LLM_MODELS");
    serve_cmd->add_option("--stt", agent.stt, "Speech recognition: pocketsphinx (local) or deepgram (DEEPGRAM_API_KEY)")
        ->envname("VA_STT")
        ->check(CLI::IsMember({"pocketsphinx", "deepgram"}))
        ->capture_default_str();
    serve_cmd->add_option("--deepgram-base-url", agent.deepgram_base_url, "Deepgram's WebSocket base (a stand-in's, for tests)")
        ->envname("DEEPGRAM_BASE_URL")
        ->capture_default_str();
    serve_cmd->add_option("--deepgram-model", agent.deepgram_model, "Deepgram model")
        ->envname("DEEPGRAM_MODEL")
        ->capture_default_str();
    serve_cmd->add_option("--elevenlabs-base-url", agent.elevenlabs_base_url, "ElevenLabs' API base")
        ->envname("ELEVENLABS_BASE_URL")
        ->capture_default_str();
    serve_cmd->add_option("--openai-tts-base-url", agent.openai_tts_base_url, "OpenAI-compatible /audio/speech base")
        ->envname("OPENAI_TTS_BASE_URL")
        ->capture_default_str();
    serve_cmd->add_option("--openai-tts-model", agent.openai_tts_model, "OpenAI speech model")
        ->envname("OPENAI_TTS_MODEL")
        ->capture_default_str();
    serve_cmd->add_option("--stt-model", agent.stt_model, "pocketsphinx model folder")
        ->envname("VA_STT_MODEL")
        ->capture_default_str();
    serve_cmd->add_option("--tts-workers", agent.tts_workers,
                          "Processes speaking espeak/flite voices, each one text at a time (0: one thread in this process)")
        ->envname("VA_TTS_WORKERS")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    serve_cmd->add_option("--stt-decoders", agent.stt_decoders, "pocketsphinx decoders (utterances recognised at once)")
        ->envname("VA_STT_DECODERS")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    serve_cmd->add_flag("--stt-second-pass", agent.stt_second_pass,
                        "Run pocketsphinx's second search pass: the words ~300 ms later, about as accurate")
        ->envname("VA_STT_SECOND_PASS");
    serve_cmd->add_option("--transfer-number", talk.transfer_number,
                          "E.164 number the agent may transfer callers to; unset = no transfers")
        ->envname("VA_TRANSFER_NUMBER")
        ->check([](const std::string& n) {
            return n.size() > 1 && n[0] == '+' && n.find_first_not_of("0123456789", 1) == std::string::npos
                       ? ""
                       : "expected +<digits>";
        });
    auto add_ms = [&](const char* flag, std::chrono::milliseconds& value, const char* env, const char* help, int max,
                      int min = 1) {
        serve_cmd
            ->add_option_function<int>(flag, [&value](int ms) { value = std::chrono::milliseconds(ms); }, help)
            ->envname(env)
            ->check(CLI::Range(min, max))
            ->default_str(std::to_string(value.count()));
    };
    add_ms("--end-of-turn-ms", talk.turn.end_silence, "VA_END_OF_TURN_MS", "Callee silence that ends their turn", 10'000);
    add_ms("--min-speech-ms", talk.turn.min_speech, "VA_MIN_SPEECH_MS", "Shortest speech that is a turn", 5'000);
    add_ms("--barge-in-ms", talk.barge_in.min_speech, "VA_BARGE_IN_MS",
           "Callee speech over the agent that interrupts it before its words say what it is", 5'000);
    add_ms("--barge-in-hold-ms", talk.barge_in.hold_after, "VA_BARGE_IN_HOLD_MS",
           "Callee voice within 400 ms over the agent that holds its audio back until the words say what it is (0: never)",
           400, 0);
    serve_cmd->add_option("--barge-in-min-words", talk.barge_in.min_words,
                          "Words over the agent, none of them \"wait\", \"sorry\" or the like, that cut it "
                          "(0: the recogniser's, 1 for deepgram, 3 for pocketsphinx)")
        ->envname("VA_BARGE_IN_MIN_WORDS")
        ->check(CLI::Range(0, 10))
        ->capture_default_str();
    add_ms("--reprompt-ms", talk.silence.reprompt_after, "VA_REPROMPT_MS", "Silence before the agent asks again", 600'000);
    add_ms("--silence-hangup-ms", talk.silence.hangup_after, "VA_SILENCE_HANGUP_MS",
           "Silence after which the agent says goodbye", 3'600'000);
    add_ms("--max-conversation-ms", talk.max_call, "VA_MAX_CONVERSATION_MS",
           "Longest conversation before a polite goodbye", 4 * 3'600'000);
    serve_cmd->add_option("--shutdown-grace-seconds", serve.shutdown_grace_seconds,
                          "On SIGTERM, live calls get a short goodbye and are hung up within this")
        ->envname("VA_SHUTDOWN_GRACE_SECONDS")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    serve_cmd->add_option("--max-transfer-seconds", agent.max_transfer_seconds,
                          "Longest a transferred call stays connected (<Dial timeLimit>)")
        ->envname("VA_MAX_TRANSFER_SECONDS")
        ->check(CLI::Range(60, 14'400))
        ->capture_default_str();
    serve_cmd->add_option("--max-llm-requests-per-call", talk.max_llm_requests,
                          "LLM requests one call may make (retries included); then the agent says goodbye")
        ->envname("VA_MAX_LLM_REQUESTS_PER_CALL")
        ->check(CLI::Range(1, 10'000))
        ->capture_default_str();
    serve_cmd->add_flag("--no-barge-in", [&talk](std::int64_t) { talk.barge_in.enabled = false; },
                        "The callee cannot interrupt the agent")
        ->envname("VA_NO_BARGE_IN");
    serve_cmd->add_flag("--no-barge-in-during-greeting", [&talk](std::int64_t) { talk.barge_in.during_greeting = false; },
                        "The greeting always plays in full")
        ->envname("VA_NO_BARGE_IN_DURING_GREETING");

    va::app::SimConfig sim;
    auto* sim_cmd = app.add_subcommand("sim", "Run the Twilio-compatible phone simulator");
    sim_cmd->add_option("--listen", sim.listen, "HOST:PORT to listen on (port 0 picks a free port)")
        ->envname("VA_SIM_LISTEN")
        ->capture_default_str();
    sim_cmd->add_option("--account-sid", sim.account_sid, "The AccountSid clients authenticate with (AC + 32 hex)")
        ->envname("TWILIO_ACCOUNT_SID")
        ->required();
    std::string sim_token_file;
    sim_cmd->add_option("--auth-token-file", sim_token_file,
                        "File holding the AuthToken (Basic auth and webhook signatures); or set TWILIO_AUTH_TOKEN")
        ->envname("TWILIO_AUTH_TOKEN_FILE");
    auto* retired_sim_token = add_retired(sim_cmd, "--auth-token", retired_value);
    sim_cmd->add_option("--scenario", sim.scenario, "Scenario JSON: how each number answers and what the callee says")
        ->envname("VA_SIM_SCENARIO");
    sim_cmd->add_option("--reports", sim.report_dir, "Directory for per-call JSON reports and WAV recordings")
        ->envname("VA_SIM_REPORTS");
    sim_cmd->add_option("--threads", sim.threads, "Network threads (0 = one per core)")->check(CLI::Range(0, 64));

    va::app::DemoConfig demo;
    auto* demo_cmd = app.add_subcommand("demo", "Call a simulated patient end to end on this machine (nothing to configure)");
    demo_cmd->add_option("--dir", demo.dir, "Where the database, recordings and reports go; unset = a new temporary directory");
    // Not from VA_DB: a demo must not write into the store a deployment's environment names.
    demo_cmd->add_option("--db", demo.db, "The store, as serve's --db (a MongoDB connection string); unset = a SQLite file in --dir");
    demo_cmd->add_option("--llm-base-url", demo.serve.agent.llm_base_url, "OpenAI-compatible API; unset = a scripted responder")
        ->envname("LLM_BASE_URL");
    demo_cmd->add_option("--llm-model", demo.serve.agent.llm_model, "The model")->envname("LLM_MODEL")->capture_default_str();
    demo_cmd->add_option("--tts-voice", demo.serve.tts_voice, "The agent's voice")->envname("VA_TTS_VOICE")->capture_default_str();

    // Started by serve itself (--tts-workers): speaks texts from stdin as PCM frames on stdout.
    std::string worker_voice;
    auto* worker_cmd = app.add_subcommand("tts-worker", "(internal) a speech synthesis process of serve's");
    worker_cmd->group("");  // not in --help
    worker_cmd->add_option("--voice", worker_voice, "espeak:<voice> or flite:<voice>")->required();

    auto* store_cmd = app.add_subcommand("store", "Work on a store's data");
    store_cmd->require_subcommand(1);
    std::string copy_from, copy_to;
    auto* copy_cmd = store_cmd->add_subcommand(
        "copy", "Copy every prompt, scheduled call and call log to a MongoDB store, ids kept (run again: only what is new)");
    copy_cmd->add_option("--from", copy_from, "The store to copy, as serve's --db (sqlite:PATH)")->required();
    copy_cmd->add_option("--to", copy_to, "The MongoDB store to copy into (a mongodb:// connection string)")
        ->required();

    CLI11_PARSE(app, argc, argv);
    // The demo narrates on stdout; the server's own info lines would drown it.
    if (*demo_cmd && app.get_option("--log-level")->count() == 0 && !std::getenv("VA_LOG_LEVEL")) log_level = "warn";

    if (!va::app::setup_logging(log_format, log_level)) {
        std::cerr << "voiceagent: bad --log-format or --log-level\n";
        return 2;
    }
    if (retired_tokens->count()) return retired("--api-tokens", "--api-tokens-file FILE or VA_API_TOKENS");
    if (retired_twilio_token->count())
        return retired("--twilio-auth-token", "--twilio-auth-token-file FILE or TWILIO_AUTH_TOKEN");
    if (retired_sim_token->count()) return retired("--auth-token", "--auth-token-file FILE or TWILIO_AUTH_TOKEN");
    std::string error;
    if (*serve_cmd) {
        if (no_dispatcher) {
            if (role_option->count() && role != "web") {
                std::cerr << "voiceagent: --no-dispatcher is --role web; it contradicts --role " << role << "\n";
                return 2;
            }
            role = "web";
        }
        serve.role = role == "web" ? va::app::Role::web : role == "dispatcher" ? va::app::Role::dispatcher : va::app::Role::all;
        if (serve.role == va::app::Role::dispatcher && sweep_option->count() == 0) serve.dispatch.sweep_seconds = 2;
        auto proxies = va::net::TrustedProxies::parse(trusted_proxies, error);
        if (!proxies) {
            std::cerr << "voiceagent: --trusted-proxies: " << error << "\n";
            return 2;
        }
        serve.trusted_proxies = std::move(*proxies);
        serve.store.timeout = std::chrono::milliseconds(store_timeout_ms);
        // Secrets: from files or the environment only, never a flag (flags show in `ps`).
        if (!va::app::read_api_tokens(tokens_file, serve.api_tokens, error) ||
            !va::app::read_secret(twilio_token_file, "TWILIO_AUTH_TOKEN", serve.dispatch.auth_token, error)) {
            std::cerr << "voiceagent: " << error << "\n";
            return 2;
        }
        if (!db_file.empty()) {
            if (db_option->count()) {
                std::cerr << "voiceagent: give --db or --db-file, not both\n";
                return 2;
            }
            auto db = va::app::read_secret_file(db_file, error);
            if (!db) {
                std::cerr << "voiceagent: --db-file " << error << "\n";
                return 2;
            }
            serve.store.db = std::move(*db);
        }
        if (!va::app::read_secret_env("LLM_API_KEY", serve.agent.llm_api_key, error) ||
            !va::app::read_secret_env("DEEPGRAM_API_KEY", serve.agent.deepgram_api_key, error) ||
            !va::app::read_secret_env("ELEVENLABS_API_KEY", serve.agent.elevenlabs_api_key, error) ||
            !va::app::read_secret_env("OPENAI_API_KEY", serve.agent.openai_tts_api_key, error)) {
            std::cerr << "voiceagent: " << error << "\n";
            return 2;
        }
        if (countries == "all") {
            serve.allowed_countries.emplace();
        } else if (!countries.empty()) {
            auto& allowed = serve.allowed_countries.emplace();
            for (const auto& c : split_list(countries)) {
                if (!va::core::is_known_region(c)) {
                    std::cerr << "voiceagent: --allowed-countries: unknown region " << c << " (or give all)\n";
                    return 2;
                }
                allowed.insert(c);
            }
        }
        return va::app::serve(serve);
    }
    if (*sim_cmd) {
        if (!va::app::read_secret(sim_token_file, "TWILIO_AUTH_TOKEN", sim.auth_token, error)) {
            std::cerr << "voiceagent sim: " << error << "\n";
            return 2;
        }
        return va::app::run_sim(sim);
    }
    if (*demo_cmd) {
        if (const char* key = std::getenv("LLM_API_KEY")) demo.serve.agent.llm_api_key = key;
        return va::app::run_demo(demo);
    }
    if (*copy_cmd) return va::app::run_store_copy(copy_from, copy_to, std::cout, std::cerr);
    if (*worker_cmd) {
        const auto voice = va::speech::parse_voice(worker_voice);
        if (!voice) {
            std::cerr << "voiceagent tts-worker: --voice: expected espeak:<voice> or flite:rms|awb|slt|kal\n";
            return 2;
        }
        return va::speech::run_tts_worker(*voice, 0, 1);
    }
    return 0;
}
