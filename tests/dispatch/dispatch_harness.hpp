#pragma once
// The dispatcher against the phone simulator, in one process over loopback sockets: N workers
// (each its own SqliteStore handle on one file, as N processes would have, its own Twilio client
// and Dispatcher), one webhook server (status callbacks, and a voice webhook that hangs up), and
// the simulator, whose call list is the witness of what was dialed.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/metrics.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/status_webhook.hpp"
#include "calling_window/time_zones.hpp"
#include "net/server.hpp"
#include "sim/simulator.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "telephony/twilio/rest_client.hpp"
#include "timing/time_source.hpp"

namespace va::dispatch::test {

inline const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
inline const std::string kToken = "dispatch-test-token";
inline const std::string kFrom = "+15005550006";

// Short timings so that every path (backoff, reconciliation, checks) runs in about a second.
DispatcherOptions fast_options();

// n distinct US numbers, +14155551001 onwards.
std::vector<std::string> numbers(int n, int first = 1);

// The requests the simulator saw never exceed `per_second`: any `per_second` + 1 consecutive
// requests span at least a second (less 100 ms for network jitter between sending and arrival).
void expect_within_rate(const std::vector<sim::CreateRequest>& requests, int per_second);

class DispatchHarness {
public:
    explicit DispatchHarness(std::string_view scenario, int workers = 1,
                             std::function<void(DispatcherOptions&)> tweak = {});
    ~DispatchHarness();

    // Creates a scheduled call due at `due` and wakes every worker (as the API would).
    std::string schedule(const std::vector<std::string>& numbers, core::TimePoint due,
                         std::optional<store::RetryPolicy> retry = std::nullopt,
                         std::optional<store::CallingWindow> window = std::nullopt);
    // Waits (woken by every final status) until `done` holds or the timeout passes.
    bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    bool wait_for_completed(const std::string& call_id, std::chrono::milliseconds timeout = std::chrono::seconds(30));

    void start_workers();  // started by the constructor unless `workers` is 0
    void add_worker();
    store::Store& store() { return *stores_.at(0); }
    sim::Simulator& sim() { return *sim_; }
    twilio::RestClient& twilio() { return *test_client_; }  // a client of the test's own
    boost::asio::io_context& io() { return io_; }
    core::Clock& clock() { return clock_; }
    std::vector<std::string> voice_webhook_queries();  // the query of every voice webhook request
    std::size_t calls_to(const std::string& number);   // in the simulator's call list
    const std::string& db_path() const { return db_path_; }
    const std::string& public_url() const { return options_.public_url; }
    unsigned short webhook_port() const;

private:
    void notify();
    twilio::RestConfig client_config() const;

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
    boost::asio::thread_pool store_pool_{4};
    timing::RealTime clock_;
    core::MetricsRegistry metrics_;
    va::test::TempDir dir_;
    std::string db_path_;
    DispatcherOptions options_;
    calling_window::CountryZones country_zones_;
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<net::HttpServer> webhooks_;
    std::unique_ptr<StatusWebhookContext> webhook_context_;
    std::string sim_base_;
    std::vector<std::unique_ptr<store::sqlite::SqliteStore>> stores_;
    std::unique_ptr<twilio::RestClient> test_client_;
    std::vector<std::unique_ptr<twilio::RestClient>> clients_;
    std::vector<std::unique_ptr<Dispatcher>> dispatchers_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::mutex queries_mutex_;
    std::vector<std::string> voice_queries_;
    std::vector<std::thread> threads_;
};

}  // namespace va::dispatch::test
