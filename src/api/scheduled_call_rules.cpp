#include "api/scheduled_call_rules.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "api/json_input.hpp"
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

namespace {
constexpr std::size_t kMaxVariables = 32;
constexpr std::size_t kMaxValueCharacters = 500;

ApiResult<core::Variables> read_variables(const boost::json::value& value, const std::string& field) {
    if (!value.is_object()) return ApiError{ErrorCode::wrong_type, field + " must be an object of strings", field};
    const auto& o = value.get_object();
    if (o.size() > kMaxVariables) {
        return ApiError{ErrorCode::invalid_value,
                        field + " may hold at most " + std::to_string(kMaxVariables) + " variables", field};
    }
    core::Variables out;
    for (const auto& [name, text] : o) {
        const auto entry = field + "." + std::string(name);
        if (!core::is_variable_name(name)) {
            return ApiError{ErrorCode::invalid_value,
                            entry + ": a variable's name is letters, digits and _, not starting with a digit, "
                                    "at most 64",
                            entry};
        }
        if (!text.is_string()) return ApiError{ErrorCode::wrong_type, entry + " must be a string", entry};
        if (utf8_characters(text.get_string()) > kMaxValueCharacters) {
            return ApiError{ErrorCode::invalid_value,
                            entry + " is longer than " + std::to_string(kMaxValueCharacters) + " characters", entry};
        }
        out.emplace(std::string(name), std::string(text.get_string()));
    }
    return out;
}
}  // namespace

RecipientEntries check_recipient_entries(const core::PhoneValidator& phones, std::size_t max_recipients,
                                         const boost::json::value& recipients) {
    const std::string field = "recipients";
    RecipientEntries out;
    auto fail = [&](ErrorCode code, std::string message, std::string where) {
        out.errors.push_back({code, std::move(message), std::move(where)});
    };
    if (!recipients.is_array()) {
        fail(ErrorCode::wrong_type, "recipients must be an array of objects", field);
        return out;
    }
    const auto& list = recipients.get_array();
    if (list.empty()) {
        fail(ErrorCode::invalid_value, "recipients must name at least one recipient", field);
        return out;
    }
    // Checked before any number is parsed, so an oversize list costs no more than its JSON.
    if (list.size() > max_recipients) {
        fail(ErrorCode::invalid_value, "recipients may name at most " + std::to_string(max_recipients) + " recipients",
             field);
        return out;
    }
    std::unordered_map<std::string, std::size_t> seen;  // number → its entry
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto entry = field + "[" + std::to_string(i) + "]";
        if (!list[i].is_object()) {
            fail(ErrorCode::wrong_type, entry + " must be an object", entry);
            continue;
        }
        const auto& o = list[i].get_object();
        if (auto unknown = std::find_if(o.begin(), o.end(), [](const auto& kv) {
                return kv.key() != "phoneNumber" && kv.key() != "variables" && kv.key() != "timeZone";
            });
            unknown != o.end()) {
            const auto where = entry + "." + std::string(unknown->key());
            fail(ErrorCode::unknown_field, where + " is not a field of a recipient (phoneNumber, variables, timeZone)",
                 where);
            continue;
        }
        const auto* number = o.if_contains("phoneNumber");
        if (!number) {
            fail(ErrorCode::missing_field, entry + ".phoneNumber is required", entry + ".phoneNumber");
            continue;
        }
        if (!number->is_string()) {
            fail(ErrorCode::wrong_type, entry + ".phoneNumber must be a string", entry + ".phoneNumber");
            continue;
        }
        auto check = phones.check(number->get_string());
        if (!check.ok()) {
            fail(ErrorCode::invalid_phone_number,
                 entry + ".phoneNumber: " + std::string(core::describe(*check.error)), entry + ".phoneNumber");
            continue;
        }
        if (auto [first, fresh] = seen.emplace(check.e164, i); !fresh) {
            fail(ErrorCode::invalid_value, entry + ".phoneNumber: duplicate of recipients[" + std::to_string(first->second) + "]",
                 entry + ".phoneNumber");
            continue;
        }
        core::Variables variables;
        if (const auto* given = o.if_contains("variables")) {
            auto read = read_variables(*given, entry + ".variables");
            if (!read) {
                out.errors.push_back(read.error());
                continue;
            }
            variables = std::move(*read);
        }
        if (const auto* zone = o.if_contains("timeZone")) {
            auto name = read_zone(*zone, entry + ".timeZone");
            if (!name) {
                out.errors.push_back(name.error());
                continue;
            }
            out.time_zones[check.e164] = std::move(*name);
        }
        out.numbers.push_back(std::move(check.e164));
        out.variables.push_back(std::move(variables));
    }
    return out;
}

std::vector<ApiError> check_placeholders(const store::ScheduledCall& call, const std::vector<core::Variables>& variables,
                                         const std::string& field) {
    std::vector<ApiError> out;
    std::vector<core::Template> templates;
    // A prompt saved before placeholders were checked may hold a stray "{{": it has none.
    for (const auto* text : {&call.introduction, &call.content})
        if (auto parsed = core::Template::parse(*text)) templates.push_back(std::move(*parsed));
    for (std::size_t i = 0; i < variables.size(); ++i) {
        for (const auto& t : templates) {
            auto missing = t.missing(variables[i]);
            if (missing.empty()) continue;
            const auto where = field + "[" + std::to_string(i) + "]";
            out.push_back({ErrorCode::invalid_value,
                           where + " has no value for {{" + missing.front() +
                               "}}, which the prompt uses without a default",
                           where + ".variables." + missing.front()});
            break;
        }
    }
    return out;
}

}  // namespace va::api
