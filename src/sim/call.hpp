#pragma once
// One simulated call as Twilio's REST API shows it, and its JSON shape (Twilio's field names and
// types: strings for duration and queue_time, RFC 2822 dates, null where Twilio has null).
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include <boost/json/object.hpp>

#include "core/clock.hpp"

namespace va::sim {

struct CallRecord {
    std::string sid;
    std::string account_sid;
    std::string to;
    std::string from;
    std::string status = "queued";
    std::string answered_by;  // "" = null
    core::TimePoint date_created{};
    core::TimePoint date_updated{};
    std::optional<core::TimePoint> start_time;
    std::optional<core::TimePoint> end_time;
    std::optional<long long> duration_s;
    long long queue_time_ms = 0;

    // The request that created it.
    std::string url;
    std::string method = "POST";
    std::string twiml;
    std::string status_callback;
    std::string status_callback_method = "POST";
    std::set<std::string> status_callback_events;
    int timeout_s = 60;
    std::optional<int> time_limit_s;
    std::string machine_detection;
};

// One authenticated POST to Calls.json, whatever was answered (refusals, 429s, 500s): the
// witness for a client's request rate.
struct CreateRequest {
    core::TimePoint at{};
    std::string to;
    unsigned answered = 0;  // HTTP status (0 when the answer was dropped)
};

boost::json::object to_json(const CallRecord& call);

bool is_final_status(std::string_view status);

}  // namespace va::sim
