#include "store/model.hpp"

#include <array>
#include <charconv>
#include <unordered_map>
#include <utility>

namespace va::store {

namespace {
constexpr std::array<std::pair<CallStatus, std::string_view>, 5> kCallStatuses{{
    {CallStatus::pending, "pending"},
    {CallStatus::in_progress, "in_progress"},
    {CallStatus::completed, "completed"},
    {CallStatus::canceled, "canceled"},
    {CallStatus::failed, "failed"},
}};

// Recipient statuses follow Twilio's call-status spelling, plus our own pending/dialing/unknown.
constexpr std::array<std::pair<RecipientStatus, std::string_view>, 11> kRecipientStatuses{{
    {RecipientStatus::pending, "pending"},
    {RecipientStatus::dialing, "dialing"},
    {RecipientStatus::queued, "queued"},
    {RecipientStatus::ringing, "ringing"},
    {RecipientStatus::in_progress, "in-progress"},
    {RecipientStatus::completed, "completed"},
    {RecipientStatus::busy, "busy"},
    {RecipientStatus::no_answer, "no-answer"},
    {RecipientStatus::failed, "failed"},
    {RecipientStatus::canceled, "canceled"},
    {RecipientStatus::unknown, "unknown"},
}};

constexpr std::array<std::pair<DeferredReason, std::string_view>, 4> kDeferredReasons{{
    {DeferredReason::none, ""},
    {DeferredReason::window, "window"},
    {DeferredReason::daily_budget, "daily-budget"},
    {DeferredReason::cooldown, "cooldown"},
}};

template <typename Table, typename E>
std::string_view name_of(const Table& table, E value) {
    for (const auto& [v, name] : table) {
        if (v == value) return name;
    }
    return "unknown";
}

template <typename E, typename Table>
std::optional<E> parse(const Table& table, std::string_view text) {
    for (const auto& [v, name] : table) {
        if (name == text) return v;
    }
    return std::nullopt;
}
}  // namespace

bool is_final(RecipientStatus s) {
    switch (s) {
        case RecipientStatus::completed:
        case RecipientStatus::busy:
        case RecipientStatus::no_answer:
        case RecipientStatus::failed:
        case RecipientStatus::canceled:
            return true;
        default:
            return false;
    }
}

std::string_view to_string(CallStatus s) { return name_of(kCallStatuses, s); }
std::string_view to_string(RecipientStatus s) { return name_of(kRecipientStatuses, s); }
std::optional<CallStatus> parse_call_status(std::string_view s) { return parse<CallStatus>(kCallStatuses, s); }
std::optional<RecipientStatus> parse_recipient_status(std::string_view s) {
    return parse<RecipientStatus>(kRecipientStatuses, s);
}
std::string_view to_string(DeferredReason r) { return name_of(kDeferredReasons, r); }
std::optional<DeferredReason> parse_deferred_reason(std::string_view s) {
    return parse<DeferredReason>(kDeferredReasons, s);
}

std::string to_string(const Cursor& cursor) {
    return std::to_string(cursor.created_at.time_since_epoch().count()) + "_" + cursor.id;
}

std::optional<Cursor> parse_cursor(std::string_view text) {
    const auto sep = text.find('_');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 == text.size() || text.size() > 100) return std::nullopt;
    std::int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + sep, ms);
    if (ec != std::errc{} || end != text.data() + sep) return std::nullopt;
    return Cursor{TimePoint{core::Millis{ms}}, std::string(text.substr(sep + 1))};
}

std::vector<Recipient> with_numbers(const std::vector<Recipient>& before, const std::vector<std::string>& numbers,
                                    TimePoint now) {
    std::unordered_map<std::string_view, const core::Variables*> kept;
    for (const auto& r : before) kept.emplace(r.phone_number, &r.variables);
    std::vector<Recipient> out;
    out.reserve(numbers.size());
    for (const auto& number : numbers) {
        auto it = kept.find(number);
        out.push_back(new_recipient(number, now, it == kept.end() ? core::Variables{} : *it->second));
    }
    return out;
}

}  // namespace va::store
