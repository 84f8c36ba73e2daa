#include "sim/call.hpp"

#include "telephony/twilio/dates.hpp"

namespace va::sim {

namespace json = boost::json;

namespace {
json::value date_or_null(const std::optional<core::TimePoint>& t) {
    return t ? json::value(twilio::format_rfc2822(*t)) : json::value(nullptr);
}
}  // namespace

bool is_final_status(std::string_view status) {
    return status == "completed" || status == "busy" || status == "no-answer" || status == "failed" ||
           status == "canceled";
}

json::object to_json(const CallRecord& call) {
    auto uri = "/2010-04-01/Accounts/" + call.account_sid + "/Calls/" + call.sid;
    json::object subresources;
    for (auto name : {"notifications", "recordings", "payments", "events", "siprec", "streams",
                      "user_defined_message_subscriptions", "user_defined_messages"}) {
        subresources[name] = uri + "/" + name + ".json";
    }
    return json::object{
        {"sid", call.sid},
        {"date_created", twilio::format_rfc2822(call.date_created)},
        {"date_updated", twilio::format_rfc2822(call.date_updated)},
        {"parent_call_sid", nullptr},
        {"account_sid", call.account_sid},
        {"to", call.to},
        {"to_formatted", call.to},
        {"from", call.from},
        {"from_formatted", call.from},
        {"phone_number_sid", nullptr},
        {"status", call.status},
        {"start_time", date_or_null(call.start_time)},
        {"end_time", date_or_null(call.end_time)},
        {"duration", call.duration_s ? json::value(std::to_string(*call.duration_s)) : json::value(nullptr)},
        {"price", nullptr},
        {"price_unit", "USD"},
        {"direction", "outbound-api"},
        {"answered_by", call.answered_by.empty() ? json::value(nullptr) : json::value(call.answered_by)},
        {"api_version", "2010-04-01"},
        {"forwarded_from", nullptr},
        {"group_sid", nullptr},
        {"caller_name", nullptr},
        {"queue_time", std::to_string(call.queue_time_ms)},
        {"trunk_sid", nullptr},
        {"uri", uri + ".json"},
        {"subresource_uris", std::move(subresources)},
    };
}

}  // namespace va::sim
