// `voiceagent serve`: the one place that names concrete parts (SQLite store, HTTP server, Twilio
// client, dispatcher) and wires them together, one builder per part, each made once with its
// final settings.
#include "app/serve.hpp"

#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "app/exposure.hpp"
#include "app/listen_address.hpp"
#include "app/housekeeping.hpp"
#include "app/voice_library.hpp"
#include "call/incoming_webhook.hpp"
#include "call/stream_endpoint.hpp"
#include "core/id.hpp"
#include "core/metrics.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/hang_up.hpp"
#include "dispatch/status_webhook.hpp"
#include "media/mulaw.hpp"
#include "media/wav.hpp"
#include "calling_window/time_zones.hpp"
#include "net/descriptor_limit.hpp"
#include "net/io_threads.hpp"
#include "net/server.hpp"
#include "timing/time_source.hpp"
#include "telephony/twilio/webhook.hpp"
#include "telephony/twilio/webhook_paths.hpp"
#include "web_ui/assets.hpp"

namespace va::app {

namespace {
// Unique per process, readable in the leases table: host, pid and a random part.
std::string worker_name() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid()) + ":" +
           core::new_object_id(timing::RealTime{}.now()).substr(18);
}

// The inbound prompt, read once at start-up.
std::optional<call::InboundPrompt> inbound_prompt(store::Store& store, const std::string& id) {
    if (id.empty()) return std::nullopt;
    auto prompt = store.prompts().get(id);
    if (!prompt) throw std::invalid_argument("no prompt " + id);
    return call::InboundPrompt{prompt->content, prompt->introduction, prompt->conversation};
}

// A step of start-up that cannot go on: what to print, and the exit code.
struct StartupError : std::runtime_error {
    explicit StartupError(const std::string& what, int exit_code = 2) : std::runtime_error(what), code(exit_code) {}
    int code;
};

// Runs one step of start-up; its failure becomes a StartupError that names the setting.
template <class Step>
auto step(const std::string& setting, Step&& run) {
    try {
        return run();
    } catch (const StartupError&) {
        throw;
    } catch (const std::exception& e) {
        throw StartupError(setting + e.what());
    }
}

// What serve() checks before it opens anything.
struct Checked {
    boost::asio::ip::tcp::endpoint endpoint;
    bool twilio = false;
    std::set<std::string> destinations;
};

Checked check(const ServeConfig& config) {
    Checked out;
    std::string listen_error, twilio_error, destinations_error;
    auto endpoint = parse_listen_address(config.listen, listen_error);
    if (!endpoint) throw StartupError("--listen " + config.listen + ": " + listen_error);
    out.endpoint = *endpoint;
    out.twilio = twilio_configured(config.dispatch, twilio_error);
    if (!twilio_error.empty()) throw StartupError(twilio_error);
    if (config.role == Role::dispatcher && !out.twilio) {
        throw StartupError("--role dispatcher dials through Twilio: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
                           "TWILIO_FROM_NUMBER and VA_PUBLIC_URL");
    }
    if (auto problem = open_api_problem(config); !problem.empty()) throw StartupError(problem);
    auto destinations = allowed_destinations(config, destinations_error);
    if (!destinations) throw StartupError(destinations_error);
    out.destinations = std::move(*destinations);
    return out;
}

// `url` with the port we listen on in place of ":0" (local use: `--public-url http://127.0.0.1:0`).
std::string with_bound_port(std::string url, unsigned short port) {
    if (url.ends_with(":0")) url.replace(url.size() - 1, 1, std::to_string(port));
    return url;
}

// What the process shares: made once, before anything that uses it.
struct Shared {
    Shared(const ServeConfig& config, unsigned cores)
        : network(config.threads ? config.threads : cores),
          compute_pool(config.compute_threads ? config.compute_threads : cores),
          write_pool(config.store_write_threads) {}
    net::IoThreads network;           // connections are spread over its contexts
    boost::asio::io_context& io = network.main();  // the rest: signals, the dispatcher, clients
    boost::asio::thread_pool compute_pool;
    boost::asio::thread_pool write_pool;
    timing::RealTime time;
    core::MetricsRegistry metrics;
};

std::unique_ptr<twilio::RestClient> make_rest_client(const ServeConfig& config, Shared& shared) {
    return step("Twilio settings: ", [&] {
        auto rest = rest_config(config.dispatch);
        rest.metrics = &shared.metrics;
        rest.clock = &shared.time;
        return std::make_unique<twilio::RestClient>(shared.io, std::move(rest));
    });
}

// The calls' side (a web process's): the agent and its voices, and the contexts of the webhooks
// and streams. Built with the final public URL. The dispatcher, if this process has one, is made
// last and reached through `dispatcher`.
struct CallSide {
    twilio::RestClient* rest = nullptr;
    std::unique_ptr<VoiceLibrary> voices;
    std::unique_ptr<call::GreetingCache> greetings;
    std::unique_ptr<Agents> agents;
    std::unique_ptr<call::CallContext> calls;
    std::unique_ptr<dispatch::StatusWebhookContext> status;
};

CallSide build_call_side(const ServeConfig& config, const dispatch::DispatcherOptions& options, store::Store& store,
                         Shared& shared, twilio::RestClient& rest,
                         const std::unique_ptr<dispatch::Dispatcher>& dispatcher) {
    CallSide side;
    side.rest = &rest;
    call::CallOptions call_options;
    call_options.inbound = step("--inbound-prompt-id: ", [&] { return inbound_prompt(store, config.inbound_prompt_id); });
    side.voices = step("--tts-voice " + config.tts_voice + ": ",
                       [&] { return std::make_unique<VoiceLibrary>(config.tts_voice, config.agent); });
    if (const auto asked = side.voices->warm(store))
        spdlog::info("{} prompts speak with voices of their own: {} voices made", asked, side.voices->made());
    side.greetings = std::make_unique<call::GreetingCache>(shared.io.get_executor());
    side.agents = step("the agent: ", [&] {
        return std::make_unique<Agents>(config.agent, shared.io, *side.rest, store, shared.write_pool, *side.voices,
                                        *side.greetings, shared.time, shared.metrics);
    });
    call_options.public_url = options.public_url;
    call_options.auth_token = config.dispatch.auth_token;
    call_options.account_sid = config.dispatch.account_sid;
    call_options.from_number = config.dispatch.from_number;
    call_options.require_stream_signature = !config.allow_unsigned_streams;
    call_options.limits.idle_timeout = std::chrono::seconds(config.stream_idle_seconds);
    call_options.limits.max_session = std::chrono::seconds(config.max_stream_seconds);
    side.calls = std::make_unique<call::CallContext>(call::CallContext{
        store, shared.write_pool.get_executor(), shared.time, shared.metrics, *side.greetings, *side.voices,
        [agents = side.agents.get()](const call::CallInfo& info, call::CallControl& control) {
            return agents->make(info, control);
        },
        call_options});
    side.status = std::make_unique<dispatch::StatusWebhookContext>(dispatch::StatusWebhookContext{
        store.dispatch(), shared.write_pool, shared.time, options.public_url, config.dispatch.auth_token, options.retry,
        [&dispatcher] {
            if (dispatcher) dispatcher->wake();
        },
        side.rest});
    return side;
}

// A prompt's introduction as a WAV file, from the greeting cache the calls use (so listening to
// it warms the cache for the first call, and the reverse).
boost::asio::awaitable<std::optional<std::string>> introduction_wav(call::Voices& voices, call::GreetingCache& greetings,
                                                                    store::Prompt prompt) {
    auto audio = co_await greetings.fetch(voices.get(prompt.conversation.tts_voice), prompt.introduction);
    if (!audio) co_return std::nullopt;
    co_return media::wav_bytes(media::PcmAudio{8000, 1, media::decode_mulaw(**audio)});
}

// The API's context; with Twilio, it checks conversation settings and wakes the dispatcher.
api::ApiContext api_context(const ServeConfig& config, const Checked& checked, store::Store& store, Shared& shared,
                            calling_window::CountryZones& zones, const CallSide* calls,
                            const std::unique_ptr<dispatch::Dispatcher>& dispatcher) {
    api::ApiContext context{store,
                            shared.compute_pool,
                            shared.write_pool,
                            shared.time,
                            shared.metrics,
                            core::PhoneValidator({config.phone_default_region, checked.destinations,
                                                  config.allow_premium_numbers, config.allow_special_numbers}),
                            zones,
                            api::ApiOptions{config.api_tokens, config.dispatch.public_url, config.api_rate_limit,
                                            config.public_metrics},
                            {},
                            {},
                            {}};
    context.options.operations_only = config.role == Role::dispatcher;
    context.options.live_poll = std::chrono::milliseconds(config.live_poll_ms);
    if (!calls) return context;
    context.check_conversation = [agents = calls->agents.get()](const store::ConversationOverrides& c) -> api::ApiResult<> {
        auto problem = agents->check(c);
        if (!problem) return {};
        return api::ApiError{api::ErrorCode::invalid_value, problem->field + ": " + problem->message, problem->field};
    };
    context.speak_introduction = [voices = calls->voices.get(), greetings = calls->greetings.get()](const store::Prompt& p) {
        return introduction_wav(*voices, *greetings, p);
    };
    context.on_schedule_changed = [&dispatcher](const store::ScheduledCall&) {
        if (dispatcher) dispatcher->wake();
    };
    context.hang_up_call = [rest = calls->rest, &io = shared.io](const std::string& call_sid) {
        dispatch::hang_up(*rest, io.get_executor(), call_sid, store::RecipientStatus::in_progress);
    };
    context.on_canceled = [rest = calls->rest, &io = shared.io](const store::ScheduledCall& call) {
        dispatch::hang_up_live(*rest, io.get_executor(), call);
    };
    return context;
}

void add_twilio_webhooks(api::Api& api, CallSide& calls, bool allow_unsigned_streams) {
    auto incoming = call::incoming_webhook(*calls.calls);
    const auto signed_only = twilio::webhook_head_rule();
    api.add_open_route("POST", std::string(twilio::kVoiceWebhookPath), incoming, signed_only);
    api.add_open_route("GET", std::string(twilio::kVoiceWebhookPath), incoming, signed_only);  // signed over the URL alone
    api.add_open_route("GET", std::string(twilio::kStreamPath), call::stream_endpoint(*calls.calls),
                       twilio::webhook_head_rule(!allow_unsigned_streams));
    api.add_open_route("POST", std::string(twilio::kStatusWebhookPath), dispatch::status_webhook(*calls.status),
                       signed_only);
}

void log_exposure(const ServeConfig& config, const Checked& checked, const boost::asio::ip::tcp::endpoint& bound,
                  std::size_t descriptors) {
    const bool v6 = bound.address().is_v6();
    std::cout << "listening on http://" << (v6 ? "[" : "") << bound.address().to_string() << (v6 ? "]" : "") << ":"
              << bound.port() << std::endl;
    if (config.role == Role::dispatcher) {
        spdlog::info("role dispatcher: no API, no webhooks; /healthz, /readyz and /metrics only");
    } else if (config.api_tokens.empty()) {
        spdlog::warn("no API tokens (VA_API_TOKENS_FILE, VA_API_TOKENS): the API answers only requests from this "
                     "machine{}",
                     config.insecure_open_api ? " (--insecure-open-api: a same-host proxy can make any request look local)"
                                              : "");
    } else {
        spdlog::info("API: {} tokens", config.api_tokens.size());
    }
    std::string regions;
    for (const auto& c : checked.destinations) regions += (regions.empty() ? "" : ",") + c;
    spdlog::info("calls may go to {}", regions.empty() ? "every country" : regions);
    spdlog::info("connections: at most {} ({} per client address), {} descriptors; {}", config.max_connections,
                 config.max_connections_per_ip, descriptors,
                 config.trusted_proxies.empty() ? "no trusted proxies" : "X-Forwarded-For believed from trusted proxies");
    // Each live call holds a Media Stream, and Twilio's media servers (or an untrusted proxy) are few addresses.
    if (checked.twilio && config.role != Role::dispatcher && config.max_connections_per_ip != 0 &&
        config.max_connections_per_ip <= static_cast<unsigned>(config.dispatch.max_live_calls)) {
        spdlog::warn("--max-connections-per-ip {} is not above --max-live-calls {}: from one Twilio address (or "
                     "behind a proxy not in --trusted-proxies), streams past it are refused",
                     config.max_connections_per_ip, config.dispatch.max_live_calls);
    }
}

int run(const ServeConfig& config, const ServeHooks& hooks) {
    const auto checked = check(config);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    Shared shared(config, cores);
    auto store = step("--db " + redacted(config.store.db) + ": ", [&] { return open_store(config.store, &shared.metrics); });
    auto country_zones = step("time zones: ", [] { return std::make_unique<calling_window::CountryZones>(); });
    // Caught from here on, before anyone can know the port: a SIGTERM that arrives while start-up
    // finishes waits in the set and drains like any other, instead of killing the process.
    boost::asio::signal_set signals(shared.io, SIGINT, SIGTERM);
    // Bound first: its port completes a local public URL, which everything below is built with.
    boost::asio::ip::tcp::acceptor listener(shared.io);
    try {
        listener = net::bind_listener(shared.io, checked.endpoint);
    } catch (const std::exception& e) {
        throw StartupError("cannot listen on " + config.listen + ": " + e.what(), 1);
    }
    const auto bound = listener.local_endpoint();
    auto options = dispatcher_options(config.dispatch, worker_name());
    options.public_url = with_bound_port(options.public_url, bound.port());

    const bool dials = checked.twilio && config.role != Role::web;
    const bool serves_calls = checked.twilio && config.role != Role::dispatcher;
    std::unique_ptr<dispatch::Dispatcher> dispatcher;  // last: it dials only once everything else exists
    std::unique_ptr<twilio::RestClient> rest;
    if (checked.twilio) rest = make_rest_client(config, shared);
    std::optional<CallSide> calls;
    if (serves_calls) calls = build_call_side(config, options, *store, shared, *rest, dispatcher);
    auto context = api_context(config, checked, *store, shared, *country_zones, calls ? &*calls : nullptr, dispatcher);
    api::Api api(context);
    if (calls) add_twilio_webhooks(api, *calls, config.allow_unsigned_streams);
    if (config.role != Role::dispatcher) {
        api.add_open_route("GET", "/", web_ui::asset_handler(), {});
        api.add_open_route("GET", "/assets/{name}", web_ui::asset_handler(), {});
    }

    net::ServerOptions server_options;
    server_options.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
    server_options.max_connections = config.max_connections;
    server_options.max_connections_per_ip = config.max_connections_per_ip;
    server_options.trusted_proxies = config.trusted_proxies;
    server_options.check_head = api.head_check();
    // The only WebSockets here are Media Streams, whose sessions close a stream without media in
    // --stream-idle-seconds themselves; Beast's idle ping would re-arm a timer on every frame.
    server_options.websocket.idle_timeout = std::chrono::milliseconds(0);
    const auto descriptors = net::raise_descriptor_limit();
    net::HttpServer server(shared.network.contexts(), api.handler(), shared.metrics, server_options);
    server.serve(std::move(listener));
    log_exposure(config, checked, bound, descriptors);
    spdlog::info("store {}; {} network threads", redacted(config.store.db), shared.network.size());
    if (dials) {
        dispatcher = std::make_unique<dispatch::Dispatcher>(
            shared.io, dispatch::DispatchContext{store->dispatch(), *rest, shared.write_pool.get_executor(),
                                                 shared.time, *country_zones, options});
    }
    if (calls) {
        if (config.agent.kind == "conversation" && config.agent.llm_base_url.empty()) {
            spdlog::warn("LLM_BASE_URL is not set: the agent answers from a scripted demo responder, not an AI");
        }
        spdlog::info("agent: {}", calls->agents->describe());
    }
    HousekeepingOptions sweeps;
    sweeps.idempotency_window = context.options.idempotency_window;
    if (config.retention_days > 0) {
        sweeps.retention = std::chrono::days(config.retention_days);
        sweeps.cooldown = std::chrono::hours(config.dispatch.min_hours_between_calls);
        spdlog::info("retention: finished calls are purged after {} days", config.retention_days);
    }
    // The sweeps run beside the dispatcher: N web processes would repeat each other's.
    Housekeeping housekeeping(shared.io, *store, shared.write_pool.get_executor(), shared.time, sweeps);
    if (config.role != Role::web) housekeeping.start();
    if (dispatcher) {
        dispatcher->start();
        spdlog::info("dispatcher {}: Twilio at {}, {} calls/s, at most {} live calls", options.owner,
                     config.dispatch.api_base, options.calls_per_second, options.max_live_calls);
    } else if (config.role == Role::web) {
        spdlog::info("role web: another process dials (--role dispatcher or all)");
    } else {
        spdlog::warn("dispatcher off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and VA_PUBLIC_URL "
                     "are not set, so no call is dialed");
    }

    bool stopping = false;
    auto stop = [&] {
        if (std::exchange(stopping, true)) return;
        signals.cancel();
        if (dispatcher) dispatcher->stop();
        housekeeping.stop();
        // Each live call says goodbye and hangs up; any still open at the deadline is closed.
        if (calls) calls->calls->live->shutdown(shared.time.steady_now() + std::chrono::seconds(config.shutdown_grace_seconds));
        if (rest) rest->close_idle();
        server.shutdown();
        shared.network.finish();
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: draining in-flight requests", signal);
        stop();
    });
    if (hooks.on_ready) hooks.on_ready(bound.port(), [&shared, &stop] { boost::asio::post(shared.io, stop); });

    shared.network.run();
    shared.compute_pool.join();
    shared.write_pool.join();
    dispatcher.reset();  // before the REST client it dials with
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int serve(const ServeConfig& config, const ServeHooks& hooks) {
    try {
        return run(config, hooks);
    } catch (const StartupError& e) {
        std::cerr << "voiceagent: " << e.what() << "\n";
        return e.code;
    }
}

}  // namespace va::app
