#pragma once
// Twilio's REST Calls API (2010-04-01): create, list, fetch and update calls, over kept-alive
// connections (net::HttpConnectionPool), HTTP Basic auth. Every answer, and every failure to get
// one, is classified as a RestOutcome, because whether a failed create may have placed a call
// decides what the dispatcher does next.
//
// Thread-safe: any number of calls may run at once, from any executor of the client's io_context.
// The client must outlive the calls it runs. Details and logs never hold phone numbers or
// credentials (digit runs in Twilio's messages are masked).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "net/http_pool.hpp"
#include "telephony/twilio/form.hpp"

namespace va::twilio {

struct RestConfig {
    std::string api_base = "https://api.twilio.com";  // scheme://host[:port], no path
    std::string account_sid{};                        // AC + 32 hex digits
    std::string auth_token{};
    std::chrono::milliseconds timeout{15'000};        // per HTTP exchange
    std::size_t max_list_pages = 20;                  // list_calls follows next_page_uri at most this often
    net::PoolOptions pool{};
};

enum class RestOutcome {
    ok,         // 2xx with the resource(s) parsed
    throttled,  // HTTP 429 or Twilio error 20429: not processed, safe to retry after a backoff
    rejected,   // any other 4xx: processed and refused (do not retry the same request)
    not_sent,   // the request never left in full (DNS, connect, TLS, write): nothing happened, safe to retry
    unknown,    // sent, then 5xx, timeout, reset or an unparsable answer: it may or may not have happened
};

std::string_view to_string(RestOutcome outcome);

// Why an outcome is not ok.
struct RestError {
    unsigned http_status = 0;   // 0 when no HTTP answer arrived
    int code = 0;               // Twilio's error code (20003, 21211, 20429, ...); 0 when the body had none
    std::string message{};      // Twilio's message, digit runs that could be phone numbers masked
    bool request_sent = false;  // the request had left in full (always true once an answer arrived)
    bool timed_out = false;
    std::optional<std::chrono::seconds> retry_after{};  // from a throttled answer's Retry-After
};

// A call as the API shows it. Unknown or null fields are empty.
struct CallResource {
    std::string sid{};
    std::string to{};
    std::string from{};
    std::string status{};       // queued, ringing, in-progress, completed, busy, failed, no-answer, canceled
    std::string answered_by{};  // human, machine_start, ... (with MachineDetection)
    std::optional<core::TimePoint> date_created{};
    std::optional<core::TimePoint> start_time{};
    std::optional<core::TimePoint> end_time{};
    std::optional<int> duration_s{};  // Twilio sends a string, or null until the call ends
};

struct CreateCallRequest {
    std::string to{};    // E.164
    std::string from{};  // E.164, a number of the account
    std::string url{};   // voice webhook (POST); or, when empty, `twiml` runs
    std::string twiml{};
    std::string status_callback{};  // empty: no status callbacks
    std::vector<std::string> status_callback_events{"initiated", "ringing", "answered", "completed"};
    std::optional<int> timeout_s{};     // ring time, 1..600 (Twilio's default 60)
    std::optional<int> time_limit_s{};  // longest call
    std::string machine_detection{};    // "", "Enable" or "DetectMessageEnd"
};

struct ListCallsFilter {
    std::string to{};
    std::string from{};
    // Sent as StartTime>=YYYY-MM-DD (UTC): Twilio filters by day, so earlier calls of that day
    // come back too; compare date_created yourself when it matters.
    std::optional<core::TimePoint> start_time_on_or_after{};
    std::string status{};
    int page_size = 50;  // 1..1000
};

struct CallResult {
    RestOutcome outcome = RestOutcome::unknown;
    std::optional<CallResource> call{};  // set when ok
    RestError error{};
    std::string detail{};  // one line for logs: what happened, without numbers or secrets
    bool ok() const { return outcome == RestOutcome::ok; }
};

struct ListResult {
    RestOutcome outcome = RestOutcome::unknown;  // of the first page that failed, else ok
    std::vector<CallResource> calls{};           // newest first; the pages read so far when not ok
    bool truncated = false;                      // ok, but more pages than max_list_pages
    RestError error{};
    std::string detail{};
    bool ok() const { return outcome == RestOutcome::ok; }
};

class RestClient {
public:
    // Throws std::invalid_argument when account_sid is not AC + 32 hex digits or api_base is
    // not an http(s) origin.
    RestClient(boost::asio::io_context& io, RestConfig config);

    // POST .../Calls.json. StatusCallbackEvent is sent once per event; StatusCallbackMethod=POST.
    boost::asio::awaitable<CallResult> create_call(CreateCallRequest request);
    // GET .../Calls.json with the filter, following next_page_uri.
    boost::asio::awaitable<ListResult> list_calls(ListCallsFilter filter);
    // GET .../Calls/{sid}.json
    boost::asio::awaitable<CallResult> fetch_call(std::string sid);
    // POST .../Calls/{sid}.json, e.g. {{"Status", "completed"}} (hang up), {{"Status", "canceled"}},
    // {{"Twiml", "..."}} or {{"Url", "..."}} (redirect a live call).
    boost::asio::awaitable<CallResult> update_call(std::string sid, Params params);

    // Closes idle connections (at shutdown; the client stays usable).
    void close_idle() { pool_.close_idle(); }

private:
    boost::asio::awaitable<net::ClientResult> send(std::string method, std::string path_and_query, Params form);
    boost::asio::awaitable<CallResult> call_request(std::string op, std::string method, std::string path, Params form);

    const RestConfig config_;
    const std::string calls_path_;     // /2010-04-01/Accounts/{sid}/Calls
    const std::string authorization_;  // "Basic ..."
    net::HttpConnectionPool pool_;
};

}  // namespace va::twilio
