#pragma once
// Twilio's REST Calls API (2010-04-01), the real twilio::Calls: over kept-alive connections
// (net::HttpConnectionPool), HTTP Basic auth.
//
// Thread-safe: any number of calls may run at once, from any executor of the client's io_context.
// The client must outlive the calls it runs. Details and logs never hold phone numbers or
// credentials (digit runs in Twilio's messages are masked).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "net/http_pool.hpp"
#include "telephony/twilio/calls.hpp"

namespace va::twilio {

struct RestConfig {
    std::string api_base = "https://api.twilio.com";  // scheme://host[:port], no path
    std::string account_sid{};                        // AC + 32 hex digits
    std::string auth_token{};
    std::chrono::milliseconds timeout{15'000};        // per HTTP exchange
    std::size_t max_list_pages = 20;                  // list_calls follows next_page_uri at most this often
    net::PoolOptions pool{};
    core::MetricsRegistry* metrics = nullptr;  // for twilio_clock_offset_seconds
    const core::Clock* clock = nullptr;        // ours, against Twilio's Date headers (null: the machine's)
};

class RestClient final : public Calls {
public:
    // Throws std::invalid_argument when account_sid is not AC + 32 hex digits or api_base is
    // not an http(s) origin.
    RestClient(boost::asio::io_context& io, RestConfig config);

    boost::asio::awaitable<CallResult> create_call(CreateCallRequest request) override;
    boost::asio::awaitable<ListResult> list_calls(ListCallsFilter filter) override;
    boost::asio::awaitable<CallResult> fetch_call(std::string sid) override;
    boost::asio::awaitable<CallResult> update_call(std::string sid, Params params) override;

    std::chrono::milliseconds clock_offset() const override { return std::chrono::milliseconds(offset_ms_.load()); }

    // Closes idle connections (at shutdown; the client stays usable).
    void close_idle() { pool_.close_idle(); }

private:
    boost::asio::awaitable<net::ClientResult> send(std::string method, std::string path_and_query, Params form);
    boost::asio::awaitable<CallResult> call_request(std::string op, std::string method, std::string path, Params form);
    void note_clock(const net::ClientResult& exchange);

    const RestConfig config_;
    const std::string calls_path_;     // /2010-04-01/Accounts/{sid}/Calls
    const std::string authorization_;  // "Basic ..."
    net::HttpConnectionPool pool_;
    core::Gauge* const offset_gauge_;  // looked up once: every answer sets it
    std::atomic<std::int64_t> offset_ms_{0};
    std::atomic<bool> skewed_{false};  // the offset is past kSkewWarning: warned once
};

}  // namespace va::twilio
