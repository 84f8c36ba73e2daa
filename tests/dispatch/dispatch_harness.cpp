#include "dispatch_harness.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <gtest/gtest.h>

#include "core/id.hpp"

namespace va::dispatch::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

DispatcherOptions fast_options() {
    DispatcherOptions o;
    o.from_number = kFrom;
    o.calls_per_second = 20;
    o.sweep = 1s;
    o.lookahead = 500ms;
    o.request_timeout = 1s;
    o.backoff_initial = 100ms;
    o.backoff_cap = 400ms;
    o.reconcile_grace = 2s;
    o.reconcile_poll = 200ms;
    o.unplaced_retry_delay = 100ms;
    o.check_margin = 500ms;
    o.check_interval = 1s;
    o.ring_timeout_seconds = 5;
    o.time_limit_seconds = 60;
    return o;
}

std::vector<std::string> numbers(int n, int first) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("+1415555" + std::to_string(1000 + first + i));
    return out;
}

void expect_within_rate(const std::vector<sim::CreateRequest>& requests, int per_second) {
    std::vector<core::TimePoint> at;
    for (const auto& r : requests) at.push_back(r.at);
    std::sort(at.begin(), at.end());
    for (std::size_t i = 0; i + static_cast<std::size_t>(per_second) < at.size(); ++i) {
        EXPECT_GE(at[i + static_cast<std::size_t>(per_second)] - at[i], 900ms) << "from request " << i;
    }
}

namespace {
sim::Scenario scenario_of(std::string_view text) {
    auto parsed = sim::parse_scenario(text);
    if (auto* e = std::get_if<sim::ScenarioError>(&parsed)) throw std::runtime_error(e->message);
    return std::get<sim::Scenario>(std::move(parsed));
}

net::Response hang_up_twiml() {
    net::Response r;
    r.content_type = "text/xml";
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>";
    return r;
}
}  // namespace

DispatchHarness::DispatchHarness(std::string_view scenario, int workers,
                                 std::function<void(DispatcherOptions&)> tweak)
    : db_path_(dir_.file("dispatch.db")), options_(fast_options()) {
    if (tweak) tweak(options_);
    const asio::ip::tcp::endpoint loopback{asio::ip::make_address("127.0.0.1"), 0};
    sim_ = std::make_unique<sim::Simulator>(io_, sim::SimulatorOptions{kAccount, kToken, scenario_of(scenario), {}, {}},
                                            metrics_);
    sim_base_ = "http://127.0.0.1:" + std::to_string(sim_->listen(loopback).port());
    stores_.push_back(store::sqlite::SqliteStore::open(db_path_));
    test_client_ = std::make_unique<twilio::RestClient>(io_, client_config());

    webhook_context_ = std::make_unique<StatusWebhookContext>(
        StatusWebhookContext{stores_[0]->dispatch(), store_pool_, clock_, "", kToken, options_.retry, [this] {
                                 for (auto& d : dispatchers_) d->wake();
                                 notify();
                             },
                             test_client_.get()});
    auto status = status_webhook(*webhook_context_);
    auto handler = [this, status](net::Request request) -> asio::awaitable<net::Response> {
        if (request.path == "/webhooks/twilio/status") co_return co_await status(std::move(request));
        if (request.path == "/webhooks/twilio/incoming") {
            std::lock_guard lock(queries_mutex_);
            voice_queries_.push_back(request.target.substr(request.target.find('?') + 1));
            co_return hang_up_twiml();
        }
        co_return net::error_response(404, "not_found", "no such route");
    };
    webhooks_ = std::make_unique<net::HttpServer>(io_, handler, metrics_);
    options_.public_url = "http://127.0.0.1:" + std::to_string(webhooks_->listen(loopback).port());
    webhook_context_->public_url = options_.public_url;
    // One thread: the servers on io_ run their connections without strands (net::IoThreads).
    threads_.emplace_back([this] { io_.run(); });
    for (int i = 0; i < workers; ++i) add_worker();
    if (workers > 0) start_workers();
}

DispatchHarness::~DispatchHarness() {
    for (auto& d : dispatchers_) d->stop();
    sim_->shutdown();
    sim_->wait_for_finished(sim_->calls().size(), 10s);
    webhooks_->shutdown();
    guard_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    store_pool_.join();
}

void DispatchHarness::add_worker() {
    auto n = dispatchers_.size();
    if (n > 0) stores_.push_back(store::sqlite::SqliteStore::open(db_path_));
    clients_.push_back(std::make_unique<twilio::RestClient>(io_, client_config()));
    auto options = options_;
    options.owner = "worker-" + std::to_string(n);
    dispatchers_.push_back(std::make_unique<Dispatcher>(
        io_, DispatchContext{stores_.back()->dispatch(), *clients_.back(), store_pool_.get_executor(), clock_, country_zones_, options}));
}

twilio::RestConfig DispatchHarness::client_config() const {
    twilio::RestConfig config;
    config.api_base = sim_base_;
    config.account_sid = kAccount;
    config.auth_token = kToken;
    config.timeout = options_.request_timeout;
    return config;
}

void DispatchHarness::start_workers() {
    for (auto& d : dispatchers_) d->start();
}

std::string DispatchHarness::schedule(const std::vector<std::string>& numbers, core::TimePoint due,
                                      std::optional<store::RetryPolicy> retry,
                                      std::optional<store::CallingWindow> window) {
    store::ScheduledCall call;
    auto now = clock_.now();
    call.id = core::new_object_id(now);
    call.to_phone_numbers = numbers;
    call.prompt_id = core::new_object_id(now);
    call.scheduled_date_time = due;
    call.content = "You remind people of their appointment.";
    call.introduction = "Hello!";
    for (const auto& n : numbers) call.recipients.push_back(store::new_recipient(n, now));
    call.retry = retry;
    call.call_window = window;
    call.created_at = call.updated_at = now;
    store().scheduled_calls().create(call, std::nullopt);
    for (auto& d : dispatchers_) d->wake();
    return call.id;
}

void DispatchHarness::notify() {
    { std::lock_guard lock(mutex_); }
    changed_.notify_all();
}

bool DispatchHarness::wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        // Final statuses wake us; the short bound covers outcomes without a callback (refusals).
        changed_.wait_for(lock, 50ms);
    }
    return true;
}

bool DispatchHarness::wait_for_completed(const std::string& call_id, std::chrono::milliseconds timeout) {
    return wait_for(
        [&] {
            auto call = store().scheduled_calls().get(call_id);
            return call && call->status == store::CallStatus::completed;
        },
        timeout);
}

std::vector<std::string> DispatchHarness::voice_webhook_queries() {
    std::lock_guard lock(queries_mutex_);
    return voice_queries_;
}

unsigned short DispatchHarness::webhook_port() const {
    return static_cast<unsigned short>(std::stoi(options_.public_url.substr(options_.public_url.rfind(':') + 1)));
}

std::size_t DispatchHarness::calls_to(const std::string& number) {
    std::size_t n = 0;
    for (const auto& call : sim_->calls()) n += call.to == number ? 1 : 0;
    return n;
}

}  // namespace va::dispatch::test
