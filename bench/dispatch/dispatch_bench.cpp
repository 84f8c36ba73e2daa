// Dispatch lateness, store operations and CPU per dial, in one process: the dispatcher on a
// SQLite file, its status-callback server, and the phone simulator (which answers every call
// "busy" at once and sends its callbacks). Two scenarios:
//   burst:  N recipients due in the same second at R calls/s; each dial's lateness is measured
//           against its earliest possible slot (due + position / R), position = arrival order.
//   single: one call due alone, repeated; lateness = when the simulator saw the request - due.
// --prefill N first stores N finished recipients (completed calls with their call logs, on other
// numbers), as a store holds after months of calls: the dispatcher's statements must not slow
// down with the history.
// --db mongodb://… runs it on MongoDB instead of a SQLite file (a database per scenario), and
// the store's own CPU is then another process's.
// Usage: dispatch_bench [recipients=10000] [rate=100] [single_runs=30] [--prefill N] [--db URI]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "store/sqlite/database.hpp"
#include "core/metrics.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/status_webhook.hpp"
#include "calling_window/time_zones.hpp"
#include "net/server.hpp"
#include "sim/simulator.hpp"
#include "store/mongodb/mongo_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "telephony/twilio/rest_client.hpp"
#include "timing/time_source.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using va::core::TimePoint;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "bench-token";

// Counts every call into the store, to report store operations per dial.
class CountingDispatch final : public va::store::DispatchRepository {
public:
    explicit CountingDispatch(va::store::DispatchRepository& inner) : inner_(inner) {}
    std::atomic<long> claims{0}, writes{0}, reads{0};

    va::store::ClaimBatch claim(const va::store::ClaimRequest& r) override { ++claims; return inner_.claim(r); }
    std::optional<TimePoint> next_due() override { ++reads; return inner_.next_due(); }
    bool renew(const va::store::Claim& c, TimePoint t) override { ++writes; return inner_.renew(c, t); }
    std::optional<TimePoint> reserve_slot(const va::store::Claim& c, TimePoint t, std::chrono::milliseconds i,
                                          std::chrono::milliseconds l) override {
        ++writes;
        return inner_.reserve_slot(c, t, i, l);
    }
    bool record_placed(const va::store::Claim& c, const va::store::PlacedCall& p, TimePoint n) override {
        ++writes;
        return inner_.record_placed(c, p, n);
    }
    bool record_unknown(const va::store::Claim& c, TimePoint n, TimePoint l) override {
        ++writes;
        return inner_.record_unknown(c, n, l);
    }
    bool record_not_placed(const va::store::Claim& c, TimePoint n, TimePoint r, int m, const std::string& e) override {
        ++writes;
        return inner_.record_not_placed(c, n, r, m, e);
    }
    bool record_refused(const va::store::Claim& c, TimePoint n, int code, const std::string& m) override {
        ++writes;
        return inner_.record_refused(c, n, code, m);
    }
    bool defer(const va::store::Claim& c, TimePoint u, TimePoint n) override { ++writes; return inner_.defer(c, u, n); }
    bool release_check(const va::store::Claim& c, TimePoint t) override { ++writes; return inner_.release_check(c, t); }
    va::store::StatusResult apply_status(const va::store::StatusEvent& e, const va::store::RetryPolicy& p,
                                         TimePoint n) override {
        ++writes;
        return inner_.apply_status(e, p, n);
    }
    std::vector<std::string> known_call_sids(const std::string& p, const va::store::AttemptKey& k) override {
        ++reads;
        return inner_.known_call_sids(p, k);
    }

private:
    va::store::DispatchRepository& inner_;
};

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

struct Bench {
    Bench(double rate, const std::string& db) {
        auto scenario = std::get<va::sim::Scenario>(
            va::sim::parse_scenario(R"({"callsPerSecond": 1000, "default": {"ringSeconds": 0, "outcome": "busy"}})"));
        std::filesystem::create_directories(dir);
        const asio::ip::tcp::endpoint loopback{asio::ip::make_address("127.0.0.1"), 0};
        sim = std::make_unique<va::sim::Simulator>(io, va::sim::SimulatorOptions{kAccount, kToken, scenario, {}, {}}, metrics);
        auto sim_port = sim->listen(loopback).port();
        if (db.empty()) {
            sqlite = va::store::sqlite::SqliteStore::open((dir / "bench.db").string());
        } else {
            static int scenario = 0;
            va::store::mongodb::MongoOptions options;
            options.uri = db;
            options.database = "dispatch_bench_" + std::to_string(getpid()) + "_" + std::to_string(++scenario);
            mongo = va::store::mongodb::MongoStore::open(options);
        }
        store = sqlite ? static_cast<va::store::Store*>(sqlite.get()) : mongo.get();
        counting = std::make_unique<CountingDispatch>(store->dispatch());

        va::dispatch::DispatcherOptions o;
        o.owner = "bench";
        o.from_number = "+15005550006";
        o.calls_per_second = rate;
        o.max_live_calls = 100000;
        o.lookahead = va::dispatch::lookahead_for(rate);
        o.max_dials_per_day = 100'000'000;  // measures dispatch, not the toll-fraud budget
        webhook = std::make_unique<va::dispatch::StatusWebhookContext>(va::dispatch::StatusWebhookContext{
            *counting, pool, clock, "", kToken, o.retry, [] {}});
        server = std::make_unique<va::net::HttpServer>(io, va::dispatch::status_webhook(*webhook), metrics);
        o.public_url = "http://127.0.0.1:" + std::to_string(server->listen(loopback).port());
        webhook->public_url = o.public_url;

        va::twilio::RestConfig config;
        config.api_base = "http://127.0.0.1:" + std::to_string(sim_port);
        config.account_sid = kAccount;
        config.auth_token = kToken;
        rest = std::make_unique<va::twilio::RestClient>(io, config);
        dispatcher = std::make_unique<va::dispatch::Dispatcher>(
            io, va::dispatch::DispatchContext{*counting, *rest, pool.get_executor(), clock, zones, o});
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
        dispatcher->start();
    }
    ~Bench() {
        dispatcher->stop();
        sim->shutdown();
        server->shutdown();
        guard.reset();
        io.stop();
        for (auto& t : threads) t.join();
        pool.join();
        std::filesystem::remove_all(dir);
    }

    // Schedules `n` recipients due at `due`, in calls of at most 1000 (the API's limit).
    void schedule(int n, TimePoint due, int first_number) {
        auto now = clock.now();
        for (int start = 0; start < n; start += 1000) {
            va::store::ScheduledCall call;
            call.id = va::core::new_object_id(now);
            call.prompt_id = call.id;
            call.scheduled_date_time = due;
            for (int i = start; i < std::min(n, start + 1000); ++i) {
                call.to_phone_numbers.push_back("+1415" + std::to_string(2000000 + first_number + i));
                call.recipients.push_back(va::store::new_recipient(call.to_phone_numbers.back(), now));
            }
            call.created_at = call.updated_at = now;
            store->scheduled_calls().create(call, std::nullopt);
        }
        dispatcher->wake();
    }

    // `n` finished recipients and their call logs: stored as completed calls of 1000 (so the
    // running dispatcher never sees them due), then given their dials, CallSids and logs straight
    // in the file, in one transaction.
    void prefill(int n) {
        if (n <= 0) return;
        const auto now = clock.now();
        for (int start = 0; start < n; start += 1000) {
            va::store::ScheduledCall call;
            call.id = va::core::new_object_id(now);
            call.prompt_id = call.id;
            call.scheduled_date_time = now - 24h;
            call.status = va::store::CallStatus::completed;
            for (int i = start; i < std::min(n, start + 1000); ++i) {
                call.to_phone_numbers.push_back("+1650" + std::to_string(2000000 + i));
                call.recipients.push_back(va::store::new_recipient(call.to_phone_numbers.back(), now));
                call.recipients.back().status = va::store::RecipientStatus::completed;
            }
            call.created_at = call.updated_at = now - 24h;
            store->scheduled_calls().create(call, std::nullopt);
        }
        va::store::sqlite::Connection c(sqlite->path());
        const auto at = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>((now - 24h).time_since_epoch()).count());
        c.exec("BEGIN");
        c.exec("UPDATE recipients SET attempt = 1, nextAttemptAt = NULL, "
               "callSid = printf('CA%032x', rowid), dialedAt = " + at);
        c.exec("INSERT INTO calllogs (id, scheduledCallId, \"to\", \"from\", callSid, status, attemptId, startedAt, "
               "endedAt, duration, createdAt, updatedAt) SELECT printf('%024x', rowid), scheduledCallId, phoneNumber, "
               "'+15005550006', callSid, 'completed', scheduledCallId || '-' || position || '-1', " + at + ", " + at +
               ", 30, " + at + ", " + at + " FROM recipients");
        c.exec("COMMIT");
        // The prefill's own WAL (gigabytes) is checkpointed now, not by the first measured write.
        c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    bool wait_for_requests(std::size_t n, std::chrono::seconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (sim->create_requests().size() < n) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }

    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("va-dispatch-bench-" + std::to_string(getpid()));
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    asio::thread_pool pool{4};
    va::timing::RealTime clock;
    va::core::MetricsRegistry metrics;
    va::calling_window::CountryZones zones;
    std::unique_ptr<va::sim::Simulator> sim;
    std::unique_ptr<va::store::sqlite::SqliteStore> sqlite;
    std::unique_ptr<va::store::mongodb::MongoStore> mongo;
    va::store::Store* store = nullptr;
    std::unique_ptr<CountingDispatch> counting;
    std::unique_ptr<va::dispatch::StatusWebhookContext> webhook;
    std::unique_ptr<va::net::HttpServer> server;
    std::unique_ptr<va::twilio::RestClient> rest;
    std::unique_ptr<va::dispatch::Dispatcher> dispatcher;
    std::vector<std::thread> threads;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    int prefill = 0;
    if (auto flag = std::find(args.begin(), args.end(), "--prefill"); flag != args.end()) {
        if (flag + 1 == args.end()) {
            std::cerr << "--prefill needs a number\n";
            return 2;
        }
        prefill = std::atoi((flag + 1)->c_str());
        args.erase(flag, flag + 2);
    }
    std::string db;
    if (auto flag = std::find(args.begin(), args.end(), "--db"); flag != args.end()) {
        if (flag + 1 == args.end() || !(flag + 1)->starts_with("mongodb")) {
            std::cerr << "--db needs a mongodb:// connection string\n";
            return 2;
        }
        db = *(flag + 1);
        args.erase(flag, flag + 2);
    }
    if (!db.empty() && prefill > 0) {
        std::cerr << "--prefill fills a SQLite file: not with --db\n";
        return 2;
    }
    const int recipients = args.size() > 0 ? std::atoi(args[0].c_str()) : 10000;
    const double rate = args.size() > 1 ? std::atof(args[1].c_str()) : 100;
    const int single_runs = args.size() > 2 ? std::atoi(args[2].c_str()) : 30;
    spdlog::set_level(spdlog::level::warn);
    if (prefill > 0) std::printf("store prefilled with %d finished recipients and their call logs\n", prefill);
    std::printf("store: %s\n", db.empty() ? "SQLite" : "MongoDB");

    {
        Bench b(rate, db);
        b.prefill(prefill);
        auto due = std::chrono::ceil<std::chrono::seconds>(b.clock.now() + 2s);
        b.schedule(recipients, due, 0);
        auto cpu0 = cpu_seconds();
        if (!b.wait_for_requests(static_cast<std::size_t>(recipients), std::chrono::seconds(static_cast<int>(recipients / rate) + 60))) {
            std::cerr << "burst: only " << b.sim->create_requests().size() << " of " << recipients << " dialed\n";
            return 1;
        }
        // Let the last callbacks land before counting.
        std::this_thread::sleep_for(1s);
        auto cpu = cpu_seconds() - cpu0;
        auto requests = b.sim->create_requests();
        std::sort(requests.begin(), requests.end(), [](const auto& a, const auto& c) { return a.at < c.at; });
        std::vector<double> late;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            auto earliest = due + std::chrono::milliseconds(static_cast<long long>(1000.0 * static_cast<double>(i) / rate));
            late.push_back(static_cast<double>((requests[i].at - earliest).count()));
        }
        auto span = std::chrono::duration<double>(requests.back().at - requests.front().at).count();
        std::printf("burst: %d recipients due at once, %.0f calls/s\n", recipients, rate);
        std::printf("  lateness vs earliest slot (ms): p50 %.0f  p99 %.0f  max %.0f  min %.0f\n", percentile(late, 0.5),
                    percentile(late, 0.99), percentile(late, 1.0), percentile(late, 0.0));
        std::printf("  achieved rate: %.1f calls/s over %.1f s\n", static_cast<double>(requests.size() - 1) / span, span);
        std::printf("  store per dial: %.3f claims, %.2f writes, %.2f reads\n",
                    static_cast<double>(b.counting->claims) / recipients, static_cast<double>(b.counting->writes) / recipients,
                    static_cast<double>(b.counting->reads) / recipients);
        std::printf("  CPU per dial (whole process: dispatcher + store + webhook + simulator): %.0f us\n",
                    cpu / recipients * 1e6);
    }
    {
        Bench b(rate, db);
        b.prefill(prefill);
        std::vector<double> late;
        for (int run = 0; run < single_runs; ++run) {
            auto due = b.clock.now() + 500ms + std::chrono::milliseconds(run % 7 * 13);
            b.schedule(1, due, 100000 + run);
            if (!b.wait_for_requests(static_cast<std::size_t>(run + 1), 10s)) return 1;
            late.push_back(static_cast<double>((b.sim->create_requests().back().at - due).count()));
        }
        std::printf("single: one call due alone, %d runs\n", single_runs);
        std::printf("  lateness (ms): p50 %.0f  p99 %.0f  max %.0f\n", percentile(late, 0.5), percentile(late, 0.99),
                    percentile(late, 1.0));
    }
    return 0;
}
