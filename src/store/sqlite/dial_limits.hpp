#pragma once
// Internal to store/sqlite: the toll-fraud limits a claim applies inside the writer's transaction
// (BEGIN IMMEDIATE), so they hold across every worker and process on the file: the daily dial
// budget (dispatch_daily_dials) and the per-number cooldown (recipients.dialedAt).
#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

constexpr std::int64_t kDayMs = 86'400'000;

// The UTC midnight (ms) that starts the day of `ms`, and the one after it.
std::int64_t utc_day_of(std::int64_t ms);
inline std::int64_t next_utc_midnight(std::int64_t ms) { return utc_day_of(ms) + kDayMs; }

// Dials counted on the UTC day that starts at `day`.
std::int64_t dials_on(Connection& c, std::int64_t day);
// Adds `n` dials to `day` and forgets days before the day before it (a window deferral may still
// give a dial back to yesterday, never to an older day).
void count_dials(Connection& c, std::int64_t day, std::int64_t n);
// A claimed dial that never became a request: one dial back to the day that counted it, and if
// that day is today, the first recipient deferred for the budget is due again at `now`.
void give_back_dial(Connection& c, std::int64_t day, std::int64_t now);

// The latest real dial of `phone_number` from any scheduled call other than `call_id` (ms), or
// nullopt. dialedAt is only ever a real dial: a window deferral puts the previous one back.
std::optional<std::int64_t> last_dial_from_other_calls(Connection& c, const std::string& phone_number,
                                                       const std::string& call_id);

}  // namespace va::store::sqlite
