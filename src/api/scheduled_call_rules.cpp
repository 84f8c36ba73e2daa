#include "api/scheduled_call_rules.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/time_format.hpp"
#include "calling_window/call_window.hpp"
#include "calling_window/window_check.hpp"

namespace va::api {

RecipientCheck check_recipients(const core::PhoneValidator& phones, std::size_t max_recipients,
                                const std::vector<std::string>& raw) {
    const std::string field = "toPhoneNumbers";
    RecipientCheck out;
    if (raw.empty()) {
        out.errors.push_back({ErrorCode::invalid_value, "toPhoneNumbers must name at least one recipient", field});
        return out;
    }
    // Checked before parsing so an oversize list costs nothing.
    if (raw.size() > max_recipients) {
        out.errors.push_back({ErrorCode::invalid_value,
                              "toPhoneNumbers may name at most " + std::to_string(max_recipients) + " recipients", field});
        return out;
    }
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        auto check = phones.check(raw[i]);
        if (!check.ok()) {
            auto entry = field + "[" + std::to_string(i) + "]";
            out.errors.push_back({ErrorCode::invalid_phone_number, entry + ": " + std::string(core::describe(*check.error)),
                                  entry});
        } else if (seen.insert(check.e164).second) {
            out.numbers.push_back(std::move(check.e164));
        }
    }
    return out;
}

ApiResult<std::vector<std::string>> normalize_recipients(const core::PhoneValidator& phones, std::size_t max_recipients,
                                                         const std::vector<std::string>& raw) {
    auto checked = check_recipients(phones, max_recipients, raw);
    if (!checked.errors.empty()) return checked.errors.front();
    return std::move(checked.numbers);
}

ApiResult<core::TimePoint> resolve_schedule_time(const ApiOptions& options, std::string_view text, core::TimePoint now) {
    const std::string field = "scheduledDateTime";
    auto t = core::parse_rfc3339(text);
    if (!t) {
        return ApiError{ErrorCode::invalid_date_time,
                        "scheduledDateTime must be an RFC 3339 time with an explicit offset or Z, "
                        "e.g. 2026-11-25T10:00:00Z",
                        field};
    }
    if (*t < now - options.past_tolerance) {
        return ApiError{ErrorCode::invalid_date_time, "scheduledDateTime is in the past", field};
    }
    if (*t > now + options.max_ahead) {
        return ApiError{ErrorCode::invalid_date_time, "scheduledDateTime is more than " + std::to_string(options.max_ahead.count()) + " days ahead", field};
    }
    return std::max(*t, now);
}

namespace {
ApiResult<std::int64_t> read_count(const boost::json::object& o, std::string_view key, std::int64_t min, std::int64_t max) {
    auto field = "retry." + std::string(key);
    auto it = o.find(key);
    if (it == o.end()) return ApiError{ErrorCode::missing_field, field + " is required", field};
    if (!it->value().is_int64() && !it->value().is_uint64()) {
        return ApiError{ErrorCode::wrong_type, field + " must be an integer", field};
    }
    auto value = it->value().is_int64() ? it->value().get_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(
                                                                         it->value().get_uint64(), INT64_MAX));
    if (value < min || value > max) {
        return ApiError{ErrorCode::invalid_value,
                        field + " must be between " + std::to_string(min) + " and " + std::to_string(max), field};
    }
    return value;
}
}  // namespace

ApiResult<store::RetryPolicy> read_retry_policy(const boost::json::value& value) {
    if (!value.is_object()) return ApiError{ErrorCode::wrong_type, "retry must be an object", "retry"};
    const auto& o = value.get_object();
    for (const auto& [key, v] : o) {
        if (key != "maxAttempts" && key != "delaySeconds") {
            return ApiError{ErrorCode::unknown_field, "retry." + std::string(key) + " is not a field of retry",
                            "retry." + std::string(key)};
        }
    }
    auto attempts = read_count(o, "maxAttempts", 1, 10);
    if (!attempts) return attempts.error();
    auto delay = read_count(o, "delaySeconds", 10, 86400);
    if (!delay) return delay.error();
    store::RetryPolicy out;
    out.max_attempts = static_cast<int>(*attempts);
    out.delay = std::chrono::seconds(*delay);
    return out;
}

namespace {
ApiResult<std::string> read_zone(const boost::json::value& v, const std::string& field) {
    if (!v.is_string()) return ApiError{ErrorCode::wrong_type, field + " must be a string", field};
    if (!calling_window::is_known_time_zone(v.get_string())) {
        return ApiError{ErrorCode::invalid_value, field + " is not an IANA time zone (e.g. Europe/Paris)", field};
    }
    return std::string(v.get_string());
}

ApiResult<int> read_time_of_day(const boost::json::object& o, std::string_view key) {
    auto field = "callWindow." + std::string(key);
    auto it = o.find(key);
    if (it == o.end()) return ApiError{ErrorCode::missing_field, field + " is required", field};
    if (!it->value().is_string()) return ApiError{ErrorCode::wrong_type, field + " must be a string", field};
    auto minutes = calling_window::parse_local_time(it->value().get_string());
    if (!minutes) return ApiError{ErrorCode::invalid_value, field + " must be a local time HH:MM (00:00-23:59)", field};
    return static_cast<int>(minutes->count());
}
}  // namespace

ApiResult<store::CallingWindow> read_call_window(const boost::json::value& value, const core::PhoneValidator& phones,
                                                const std::vector<std::string>& numbers) {
    if (!value.is_object()) return ApiError{ErrorCode::wrong_type, "callWindow must be an object", "callWindow"};
    const auto& o = value.get_object();
    for (const auto& [key, v] : o) {
        if (key != "start" && key != "end" && key != "timeZone" && key != "recipientTimeZones") {
            auto field = "callWindow." + std::string(key);
            return ApiError{ErrorCode::unknown_field, field + " is not a field of callWindow", field};
        }
    }
    store::CallingWindow out;
    auto start = read_time_of_day(o, "start");
    if (!start) return start.error();
    auto end = read_time_of_day(o, "end");
    if (!end) return end.error();
    out.start_minute = *start;
    out.end_minute = *end;
    if (out.start_minute == out.end_minute) {
        return ApiError{ErrorCode::invalid_value, "callWindow.start and callWindow.end must differ", "callWindow.end"};
    }
    if (auto* zone = o.if_contains("timeZone")) {
        auto name = read_zone(*zone, "callWindow.timeZone");
        if (!name) return name.error();
        out.time_zone = std::move(*name);
    }
    if (auto* zones = o.if_contains("recipientTimeZones")) {
        const std::string field = "callWindow.recipientTimeZones";
        if (!zones->is_object()) return ApiError{ErrorCode::wrong_type, field + " must be an object", field};
        for (const auto& [number, zone] : zones->get_object()) {
            auto entry = field + "." + std::string(number);
            auto check = phones.check(number);
            if (!check.ok() || std::find(numbers.begin(), numbers.end(), check.e164) == numbers.end()) {
                return ApiError{ErrorCode::invalid_value, entry + ": not one of toPhoneNumbers", entry};
            }
            auto name = read_zone(zone, entry);
            if (!name) return name.error();
            out.time_zones[check.e164] = std::move(*name);
        }
    }
    return out;
}

ApiResult<> check_call_window(const store::CallingWindow& window, const std::vector<std::string>& numbers,
                              const calling_window::CountryZones& zones, core::TimePoint from) {
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        auto check = calling_window::check_window(from, window, numbers[i], zones);
        if (!check.error.empty()) {
            return ApiError{ErrorCode::invalid_value, "toPhoneNumbers[" + std::to_string(i) + "]: " + check.error,
                            "callWindow"};
        }
    }
    return {};
}

}  // namespace va::api
