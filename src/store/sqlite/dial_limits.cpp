#include "store/sqlite/dial_limits.hpp"

namespace va::store::sqlite {

std::int64_t utc_day_of(std::int64_t ms) {
    // Floor, not truncation: times before 1970 belong to the day before.
    auto day = ms / kDayMs;
    if (ms % kDayMs < 0) --day;
    return day * kDayMs;
}

std::int64_t dials_on(Connection& c, std::int64_t day) {
    Statement s(c, "SELECT dials FROM dispatch_daily_dials WHERE day = ?");
    s.bind(1, day);
    return s.step() ? s.integer(0) : 0;
}

void count_dials(Connection& c, std::int64_t day, std::int64_t n) {
    if (n <= 0) return;
    {
        Statement s(c, "INSERT INTO dispatch_daily_dials (day, dials) VALUES (?1, ?2) "
                       "ON CONFLICT (day) DO UPDATE SET dials = dials + excluded.dials");
        s.bind(1, day).bind(2, n).run();
    }
    Statement old(c, "DELETE FROM dispatch_daily_dials WHERE day < ?");
    old.bind(1, day - kDayMs).run();
}

void give_back_dial(Connection& c, std::int64_t day, std::int64_t now) {
    Statement s(c, "UPDATE dispatch_daily_dials SET dials = dials - 1 WHERE day = ? AND dials > 0");
    s.bind(1, day).run();
    if (c.changes() == 0 || day != utc_day_of(now)) return;
    // The claim that counted this dial may have pushed others past the budget to midnight: the
    // first of them takes the dial back now, instead of waiting for tomorrow with a dial unused.
    Statement wake(c, "UPDATE recipients SET nextAttemptAt = ?1 WHERE rowid IN (SELECT rowid FROM recipients "
                      "WHERE status = 'pending' AND deferredReason = 'daily-budget' AND nextAttemptAt > ?1 "
                      "ORDER BY nextAttemptAt, rowid LIMIT 1)");
    wake.bind(1, now).run();
}

std::optional<std::int64_t> last_dial_from_other_calls(Connection& c, const std::string& phone_number,
                                                       const std::string& call_id) {
    // recipients_by_phone finds the number's rows; a number has few of them.
    Statement s(c, "SELECT max(dialedAt) FROM recipients WHERE phoneNumber = ? AND scheduledCallId != ?");
    s.bind(1, phone_number).bind(2, call_id);
    if (!s.step()) return std::nullopt;
    return s.optional_integer(0);
}

}  // namespace va::store::sqlite
