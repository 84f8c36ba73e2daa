#include "store/settings_json.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "core/time_format.hpp"

namespace va::store {

namespace json = boost::json;

namespace {
int minute_of(const json::value& v) {
    const auto& text = v.as_string();
    if (text.size() != 5) throw std::invalid_argument("a time of day is HH:MM");
    return ((text[0] - '0') * 10 + (text[1] - '0')) * 60 + (text[3] - '0') * 10 + (text[4] - '0');
}
}  // namespace

json::object retry_to_json(const RetryPolicy& retry) {
    return {{"maxAttempts", retry.max_attempts}, {"delaySeconds", retry.delay.count()}};
}

RetryPolicy retry_from_json(const json::object& o) {
    return RetryPolicy{static_cast<int>(o.at("maxAttempts").to_number<std::int64_t>()),
                       std::chrono::seconds(o.at("delaySeconds").to_number<std::int64_t>())};
}

json::object call_window_to_json(const CallingWindow& window) {
    json::object o{{"start", core::format_time_of_day(window.start_minute)},
                   {"end", core::format_time_of_day(window.end_minute)}};
    if (!window.time_zone.empty()) o["timeZone"] = window.time_zone;
    if (!window.time_zones.empty()) {
        json::object zones;
        for (const auto& [number, zone] : window.time_zones) zones[number] = zone;
        o["recipientTimeZones"] = std::move(zones);
    }
    return o;
}

CallingWindow call_window_from_json(const json::object& o) {
    CallingWindow w;
    w.start_minute = minute_of(o.at("start"));
    w.end_minute = minute_of(o.at("end"));
    if (auto* zone = o.if_contains("timeZone")) w.time_zone = std::string(zone->as_string());
    if (auto* zones = o.if_contains("recipientTimeZones")) {
        for (const auto& [number, zone] : zones->as_object()) w.time_zones[std::string(number)] = std::string(zone.as_string());
    }
    return w;
}

boost::json::object variables_to_json(const core::Variables& variables) {
    boost::json::object out;
    for (const auto& [name, value] : variables) out[name] = value;
    return out;
}

core::Variables variables_from_json(const boost::json::object& o) {
    core::Variables out;
    for (const auto& [name, value] : o)
        if (value.is_string()) out.emplace(name, value.get_string());
    return out;
}

}  // namespace va::store
