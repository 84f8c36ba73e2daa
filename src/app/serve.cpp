// `voiceagent serve`: the one place that names concrete parts (SQLite store, HTTP server, Twilio
// client, dispatcher) and wires them together.
#include "app/serve.hpp"

#include <iostream>
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
#include "app/voice_library.hpp"
#include "call/incoming_webhook.hpp"
#include "call/stream_endpoint.hpp"
#include "core/id.hpp"
#include "core/metrics.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/status_webhook.hpp"
#include "calling_window/time_zones.hpp"
#include "net/descriptor_limit.hpp"
#include "net/server.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "timing/time_source.hpp"
#include "telephony/twilio/webhook_paths.hpp"

namespace va::app {

namespace {
std::unique_ptr<store::Store> open_store(const std::string& spec) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (spec.starts_with(kSqlite) && spec.size() > kSqlite.size()) {
        return store::sqlite::SqliteStore::open(spec.substr(kSqlite.size()));
    }
    throw std::invalid_argument("--db must be sqlite:PATH");
}

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
}  // namespace

int serve(const ServeConfig& config, const ServeHooks& hooks) {
    std::string error;
    auto endpoint = parse_listen_address(config.listen, error);
    if (!endpoint) {
        std::cerr << "voiceagent: --listen " << config.listen << ": " << error << "\n";
        return 2;
    }
    std::string twilio_error;
    const bool twilio = twilio_configured(config.dispatch, twilio_error);
    if (!twilio_error.empty()) {
        std::cerr << "voiceagent: " << twilio_error << "\n";
        return 2;
    }
    if (auto problem = open_api_problem(config); !problem.empty()) {
        std::cerr << "voiceagent: " << problem << "\n";
        return 2;
    }
    std::string destinations_error;
    const auto destinations = allowed_destinations(config, destinations_error);
    if (!destinations) {
        std::cerr << "voiceagent: " << destinations_error << "\n";
        return 2;
    }
    std::unique_ptr<store::Store> store;
    try {
        store = open_store(config.db);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent: --db " << config.db << ": " << e.what() << "\n";
        return 2;
    }

    std::unique_ptr<calling_window::CountryZones> country_zones;
    try {
        country_zones = std::make_unique<calling_window::CountryZones>();
    } catch (const std::exception& e) {
        std::cerr << "voiceagent: time zones: " << e.what() << " (install tzdata)\n";
        return 2;
    }

    boost::asio::io_context io;
    // Caught from here on, before anyone can know the port: a SIGTERM that arrives while start-up
    // finishes waits in the set and drains like any other, instead of killing the process.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    boost::asio::thread_pool compute_pool(config.compute_threads ? config.compute_threads : cores);
    boost::asio::thread_pool write_pool(config.store_write_threads);
    timing::RealTime time;
    core::MetricsRegistry metrics;
    api::ApiContext context{*store,
                            compute_pool,
                            write_pool,
                            time,
                            metrics,
                            core::PhoneValidator({config.phone_default_region, *destinations,
                                                  config.allow_premium_numbers, config.allow_special_numbers}),
                            *country_zones,
                            api::ApiOptions{config.api_tokens, config.dispatch.public_url, config.api_rate_limit},
                            {},
                            {}};
    auto options = dispatcher_options(config.dispatch, worker_name());
    std::unique_ptr<twilio::RestClient> rest;
    std::unique_ptr<dispatch::Dispatcher> dispatcher;
    std::unique_ptr<dispatch::StatusWebhookContext> status_context;
    std::unique_ptr<VoiceLibrary> voices;
    std::unique_ptr<call::GreetingCache> greetings;
    std::unique_ptr<Agents> agents;
    std::unique_ptr<call::CallContext> call_context;
    if (twilio) {
        call::CallOptions call_options;
        try {
            call_options.inbound = inbound_prompt(*store, config.inbound_prompt_id);
        } catch (const std::exception& e) {
            std::cerr << "voiceagent: --inbound-prompt-id: " << e.what() << "\n";
            return 2;
        }
        try {
            rest = std::make_unique<twilio::RestClient>(io, rest_config(config.dispatch));
        } catch (const std::invalid_argument& e) {
            std::cerr << "voiceagent: Twilio settings: " << e.what() << "\n";
            return 2;
        }
        try {
            voices = std::make_unique<VoiceLibrary>(config.tts_voice, config.agent);
        } catch (const std::exception& e) {
            std::cerr << "voiceagent: --tts-voice " << config.tts_voice << ": " << e.what() << "\n";
            return 2;
        }
        if (const auto asked = voices->warm(*store))
            spdlog::info("{} prompts speak with voices of their own: {} voices made", asked, voices->made());
        greetings = std::make_unique<call::GreetingCache>(io.get_executor());
        try {
            agents = std::make_unique<Agents>(config.agent, io, *rest, *store, write_pool, *voices, *greetings, time, metrics);
        } catch (const std::exception& e) {
            std::cerr << "voiceagent: the agent: " << e.what() << "\n";
            return 2;
        }
        call_options.public_url = options.public_url;
        call_options.auth_token = config.dispatch.auth_token;
        call_options.from_number = config.dispatch.from_number;
        call_options.require_stream_signature = !config.allow_unsigned_streams;
        call_options.limits.idle_timeout = std::chrono::seconds(config.stream_idle_seconds);
        call_options.limits.max_session = std::chrono::seconds(config.max_stream_seconds);
        call_context = std::make_unique<call::CallContext>(call::CallContext{
            *store, write_pool.get_executor(), time, metrics, *greetings, *voices,
            [&agents](const call::CallInfo& info, call::CallControl& control) { return agents->make(info, control); },
            call_options});
        context.check_conversation = [&agents](const store::ConversationOverrides& c) -> api::ApiResult<> {
            auto problem = agents->check(c);
            if (!problem) return {};
            return api::ApiError{api::ErrorCode::invalid_value, problem->field + ": " + problem->message, problem->field};
        };
        // Both are reached only once io runs, after the dispatcher exists (it needs the bound port).
        context.on_schedule_changed = [&dispatcher](const store::ScheduledCall&) {
            if (dispatcher) dispatcher->wake();
        };
        status_context = std::make_unique<dispatch::StatusWebhookContext>(dispatch::StatusWebhookContext{
            store->dispatch(), write_pool, time, options.public_url, config.dispatch.auth_token, options.retry,
            [&dispatcher] {
                if (dispatcher) dispatcher->wake();
            }});
    }
    api::Api api(context);
    if (twilio) {
        auto incoming = call::incoming_webhook(*call_context);
        api.add_webhook("POST", std::string(twilio::kVoiceWebhookPath), incoming);
        api.add_webhook("GET", std::string(twilio::kVoiceWebhookPath), incoming);  // signed over the URL alone
        api.add_webhook("GET", std::string(twilio::kStreamPath), call::stream_endpoint(*call_context));
        api.add_webhook("POST", std::string(twilio::kStatusWebhookPath), dispatch::status_webhook(*status_context));
    }
    net::ServerOptions server_options;
    server_options.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
    server_options.max_connections = config.max_connections;
    server_options.max_connections_per_ip = config.max_connections_per_ip;
    const auto descriptors = net::raise_descriptor_limit();
    net::HttpServer server(io, api.handler(), metrics, server_options);
    boost::asio::ip::tcp::endpoint bound;
    try {
        bound = server.listen(*endpoint);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent: cannot listen on " << config.listen << ": " << e.what() << "\n";
        return 1;
    }
    const bool v6 = bound.address().is_v6();
    std::cout << "listening on http://" << (v6 ? "[" : "") << bound.address().to_string() << (v6 ? "]" : "") << ":"
              << bound.port() << std::endl;
    if (config.api_tokens.empty()) {
        spdlog::warn("no API tokens (VA_API_TOKENS_FILE, VA_API_TOKENS): the API answers only requests from this "
                     "machine{}",
                     config.insecure_open_api ? " (--insecure-open-api: a same-host proxy can make any request look local)"
                                              : "");
    } else {
        spdlog::info("API: {} tokens", config.api_tokens.size());
    }
    std::string regions;
    for (const auto& c : *destinations) regions += (regions.empty() ? "" : ",") + c;
    spdlog::info("calls may go to {}", regions.empty() ? "every country" : regions);
    spdlog::info("connections: at most {} ({} per client address), {} descriptors", config.max_connections,
                 config.max_connections_per_ip, descriptors);
    // Each live call holds a Media Stream, and behind a same-host proxy they all come from one address.
    if (twilio && config.max_connections_per_ip != 0 &&
        config.max_connections_per_ip <= static_cast<unsigned>(config.dispatch.max_live_calls)) {
        spdlog::warn("--max-connections-per-ip {} is not above --max-live-calls {}: behind a proxy or from one "
                     "Twilio address, streams past it are refused",
                     config.max_connections_per_ip, config.dispatch.max_live_calls);
    }
    const unsigned threads = config.threads ? config.threads : cores;
    spdlog::info("store {}; {} network threads", config.db, threads);
    if (twilio) {
        // For local use (`--public-url http://127.0.0.1:0`): the port we were given.
        if (options.public_url.ends_with(":0")) {
            options.public_url.resize(options.public_url.size() - 1);
            options.public_url += std::to_string(bound.port());
            status_context->public_url = options.public_url;
            call_context->options.public_url = options.public_url;
        }
        if (!config.dispatch.disabled) {
            dispatcher = std::make_unique<dispatch::Dispatcher>(
                io, dispatch::DispatchContext{store->dispatch(), *rest, write_pool.get_executor(), time, *country_zones, options});
        }
    }
    if (agents) {
        if (config.agent.kind == "conversation" && config.agent.llm_base_url.empty()) {
            spdlog::warn("LLM_BASE_URL is not set: the agent answers from a scripted demo responder, not an AI");
        }
        spdlog::info("agent: {}", agents->describe());
    }
    if (dispatcher) {
        dispatcher->start();
        spdlog::info("dispatcher {}: Twilio at {}, {} calls/s, at most {} live calls", options.owner,
                     config.dispatch.api_base, options.calls_per_second, options.max_live_calls);
    } else if (!twilio) {
        spdlog::warn("dispatcher off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and VA_PUBLIC_URL "
                     "are not set, so no call is dialed");
    }

    bool stopping = false;
    auto stop = [&] {
        if (std::exchange(stopping, true)) return;
        signals.cancel();
        if (dispatcher) dispatcher->stop();
        if (rest) rest->close_idle();
        server.shutdown();
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: draining in-flight requests", signal);
        stop();
    });
    if (hooks.on_ready) hooks.on_ready(bound.port(), [&io, &stop] { boost::asio::post(io, stop); });

    std::vector<std::thread> workers;
    for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& w : workers) w.join();
    compute_pool.join();
    write_pool.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace va::app
