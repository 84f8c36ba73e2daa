#pragma once
// Twilio's Calls API as the dispatcher and the live call use it: create, list, fetch and update.
// RestClient (rest_client.hpp) is the real one; tests of the attempt state machine use a fake on
// simulated time. Every answer, and every failure to get one, is a RestOutcome, because whether a
// failed create may have placed a call decides what the dispatcher does next.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "telephony/twilio/form.hpp"

namespace va::twilio {

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

class Calls {
public:
    virtual ~Calls() = default;
    // POST .../Calls.json. StatusCallbackEvent is sent once per event; StatusCallbackMethod=POST.
    virtual boost::asio::awaitable<CallResult> create_call(CreateCallRequest request) = 0;
    // GET .../Calls.json with the filter, following next_page_uri.
    virtual boost::asio::awaitable<ListResult> list_calls(ListCallsFilter filter) = 0;
    // GET .../Calls/{sid}.json
    virtual boost::asio::awaitable<CallResult> fetch_call(std::string sid) = 0;
    // POST .../Calls/{sid}.json, e.g. {{"Status", "completed"}} (hang up), {{"Status", "canceled"}},
    // {{"Twiml", "..."}} or {{"Url", "..."}} (redirect a live call).
    virtual boost::asio::awaitable<CallResult> update_call(std::string sid, Params params) = 0;
    // Twilio's clock minus ours, as its latest answer's Date header said (0 until one has):
    // Twilio's times (a call's date_created) are compared with ours only through it.
    virtual std::chrono::milliseconds clock_offset() const { return {}; }
};

}  // namespace va::twilio
