// `voiceagent serve`: the one place that names concrete parts (SQLite store, HTTP server) and
// wires them together.
#include "app/serve.hpp"

#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "app/listen_address.hpp"
#include "core/metrics.hpp"
#include "net/server.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace va::app {

namespace {
std::unique_ptr<store::Store> open_store(const std::string& spec) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (spec.starts_with(kSqlite) && spec.size() > kSqlite.size()) {
        return store::sqlite::SqliteStore::open(spec.substr(kSqlite.size()));
    }
    throw std::invalid_argument("--db must be sqlite:PATH");
}
}  // namespace

int serve(const ServeConfig& config) {
    std::string error;
    auto endpoint = parse_listen_address(config.listen, error);
    if (!endpoint) {
        std::cerr << "voiceagent: --listen " << config.listen << ": " << error << "\n";
        return 2;
    }
    std::unique_ptr<store::Store> store;
    try {
        store = open_store(config.db);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent: --db " << config.db << ": " << e.what() << "\n";
        return 2;
    }

    boost::asio::io_context io;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    boost::asio::thread_pool compute_pool(config.compute_threads ? config.compute_threads : cores);
    boost::asio::thread_pool write_pool(config.store_write_threads);
    core::SystemClock clock;
    core::MetricsRegistry metrics;
    api::ApiContext context{*store,
                            compute_pool,
                            write_pool,
                            clock,
                            metrics,
                            core::PhoneValidator({config.phone_default_region, config.allowed_countries,
                                                  config.allow_premium_numbers}),
                            api::ApiOptions{config.api_tokens},
                            {}};
    api::Api api(context);
    net::HttpServer server(io, api.handler(), metrics);
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
        spdlog::warn("VA_API_TOKENS is not set: the API answers only loopback clients");
    }
    const unsigned threads = config.threads ? config.threads : cores;
    spdlog::info("store {}; {} network threads", config.db, threads);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: draining in-flight requests", signal);
        server.shutdown();
    });

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
