// --retention-days on SQLite: finished calls lose their transcripts, their recipients' variables
// and the prompts rendered with them, and all but the last 4 digits of their numbers, a batch per write job; the answered CallSids go; then the WAL, which still
// holds the old pages, is checkpointed and truncated. The writer connection has secure_delete on,
// so the freed space is zeroed, not left readable in the file.
#include "store/sqlite/retention.hpp"

#include "store/sqlite/paging.hpp"

namespace va::store::sqlite {

namespace {

// SQL for `column` with all but its last 4 characters as '*' (phone numbers are at most 16).
std::string masked(const std::string& column) {
    return "CASE WHEN length(" + column + ") <= 4 THEN " + column + " ELSE substr('********************', 1, length(" +
           column + ") - 4) || substr(" + column + ", -4) END";
}

constexpr const char* kFinishedCalls = "('completed', 'canceled', 'failed')";
constexpr const char* kFinishedLogs = "('completed', 'busy', 'no-answer', 'failed', 'canceled')";

std::size_t purge_call_logs(Connection& c, const PurgeRequest& r) {
    Statement s(c, std::string("UPDATE calllogs SET transcript = '[]', content = '', introduction = '', \"to\" = ") +
                       masked("\"to\"") +
                       ", \"from\" = " + masked("\"from\"") + ", purgedAt = ?1 WHERE rowid IN (SELECT rowid FROM "
                       "calllogs WHERE purgedAt IS NULL AND updatedAt < ?2 AND status IN " + kFinishedLogs +
                       " LIMIT ?3)");
    s.bind(1, to_millis(r.now)).bind(2, to_millis(r.before)).bind(3, static_cast<std::int64_t>(r.batch)).run();
    return static_cast<std::size_t>(c.changes());
}

std::size_t purge_scheduled_calls(Connection& c, const PurgeRequest& r) {
    std::vector<std::string> ids;
    {
        Statement s(c, std::string("SELECT id FROM scheduled_calls WHERE purgedAt IS NULL AND updatedAt < ?1 AND "
                                   "status IN ") + kFinishedCalls +
                           " AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.scheduledCallId = scheduled_calls.id "
                           "AND r.dialedAt >= ?2) LIMIT ?3");
        s.bind(1, to_millis(r.before)).bind(2, to_millis(r.cooldown_since)).bind(3, static_cast<std::int64_t>(r.batch));
        while (s.step()) ids.push_back(s.text(0));
    }
    Statement numbers(c, std::string("UPDATE recipients SET variables = NULL, phoneNumber = ") + masked("phoneNumber") +
                             " WHERE scheduledCallId = ?1");
    Statement call(c, "UPDATE scheduled_calls SET purgedAt = ?2, toPhoneNumbers = (SELECT json_group_array(phoneNumber) "
                      "FROM (SELECT phoneNumber FROM recipients WHERE scheduledCallId = ?1 ORDER BY position)) "
                      "WHERE id = ?1");
    for (const auto& id : ids) {
        numbers.bind(1, id).run();
        numbers.reset();
        call.bind(1, id).bind(2, to_millis(r.now)).run();
        call.reset();
    }
    return ids.size();
}

}  // namespace

PurgeResult purge_finished(WriteQueue& writer, const std::string& path, const PurgeRequest& request) {
    PurgeResult out;
    for (std::size_t n = 1; n > 0; out.call_logs += n) {
        n = writer.run_bulk([&](Connection& c) { return purge_call_logs(c, request); });
    }
    for (std::size_t n = 1; n > 0; out.scheduled_calls += n) {
        n = writer.run_bulk([&](Connection& c) { return purge_scheduled_calls(c, request); });
    }
    writer.run_bulk([&](Connection& c) {
        Statement s(c, "DELETE FROM answered_calls WHERE answeredAt < ?1");
        s.bind(1, to_millis(request.before)).run();
        return true;
    });
    if (out.call_logs + out.scheduled_calls > 0) {
        // Best effort: a reader still on an old snapshot keeps the WAL until the next purge.
        Connection checkpoint(path);
        checkpoint.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    return out;
}

}  // namespace va::store::sqlite
