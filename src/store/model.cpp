#include "store/model.hpp"

#include <array>
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

}  // namespace va::store
