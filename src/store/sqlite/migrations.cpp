#include "store/sqlite/migrations.hpp"

#include <iterator>
#include <stdexcept>
#include <string>

namespace va::store::sqlite {

namespace {
// Numbered by position: kMigrations[0] takes the schema from version 0 to 1. Append only.
// Times are INTEGER milliseconds since the epoch; names are the camelCase of the storage contract.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE prompts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, content TEXT NOT NULL, introduction TEXT NOT NULL,
  createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
CREATE INDEX prompts_by_created ON prompts (createdAt DESC, id DESC);

CREATE TABLE scheduled_calls (
  id TEXT PRIMARY KEY, toPhoneNumbers TEXT NOT NULL, promptId TEXT NOT NULL,
  scheduledDateTime INTEGER NOT NULL, status TEXT NOT NULL, content TEXT NOT NULL,
  introduction TEXT NOT NULL, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
CREATE INDEX scheduled_calls_by_created ON scheduled_calls (createdAt DESC, id DESC);
CREATE INDEX scheduled_calls_by_status_time ON scheduled_calls (status, scheduledDateTime);

-- One row per recipient. The lease columns are the dispatcher's: a claim is one conditional
-- UPDATE ... WHERE status/nextAttemptAt/leaseExpiresAt ... RETURNING, and every later write is
-- conditional on the fence it got.
CREATE TABLE recipients (
  scheduledCallId TEXT NOT NULL REFERENCES scheduled_calls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL, phoneNumber TEXT NOT NULL, status TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0, callSid TEXT NOT NULL DEFAULT '', errorCode INTEGER,
  errorMessage TEXT NOT NULL DEFAULT '', nextAttemptAt INTEGER, leaseOwner TEXT, leaseExpiresAt INTEGER,
  fence INTEGER NOT NULL DEFAULT 0, updatedAt INTEGER NOT NULL,
  PRIMARY KEY (scheduledCallId, position));
CREATE INDEX recipients_due ON recipients (status, nextAttemptAt);

CREATE TABLE calllogs (
  id TEXT PRIMARY KEY, scheduledCallId TEXT NOT NULL DEFAULT '', "to" TEXT NOT NULL, "from" TEXT NOT NULL,
  callSid TEXT NOT NULL DEFAULT '', streamSid TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
  answeredBy TEXT NOT NULL DEFAULT '', startedAt INTEGER, answeredAt INTEGER, endedAt INTEGER,
  duration INTEGER, transcript TEXT NOT NULL DEFAULT '[]',
  createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
CREATE INDEX calllogs_by_created ON calllogs (createdAt DESC, id DESC);
CREATE INDEX calllogs_by_call ON calllogs (scheduledCallId, createdAt DESC);
CREATE INDEX calllogs_by_to ON calllogs ("to", createdAt DESC);
CREATE INDEX calllogs_by_sid ON calllogs (callSid);

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY, requestHash TEXT NOT NULL, scheduledCallId TEXT NOT NULL, createdAt INTEGER NOT NULL);
)sql",
    // 2: call-log filters walk an index in page order (createdAt DESC, id DESC) without sorting,
    // and the status filter gets one.
    R"sql(
DROP INDEX calllogs_by_call;
DROP INDEX calllogs_by_to;
CREATE INDEX calllogs_by_call ON calllogs (scheduledCallId, createdAt DESC, id DESC);
CREATE INDEX calllogs_by_to ON calllogs ("to", createdAt DESC, id DESC);
CREATE INDEX calllogs_by_status ON calllogs (status, createdAt DESC, id DESC);
)sql",
    // 3: the dispatcher. A scheduled call's own retry policy (JSON or NULL); per recipient when its
    // latest attempt was claimed and how many attempts never became calls; leases and overdue
    // checks are found by expiry; a call log names its attempt (at most one log per attempt); and
    // one row of rate-limit state shared by every worker: the next free send slot.
    R"sql(
ALTER TABLE scheduled_calls ADD COLUMN retry TEXT;
ALTER TABLE recipients ADD COLUMN dialedAt INTEGER;
ALTER TABLE recipients ADD COLUMN unplaced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX recipients_leases ON recipients (status, leaseExpiresAt);
CREATE INDEX recipients_by_phone ON recipients (phoneNumber);
ALTER TABLE calllogs ADD COLUMN attemptId TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX calllogs_by_attempt ON calllogs (attemptId) WHERE attemptId != '';
CREATE TABLE dispatch_slots (id INTEGER PRIMARY KEY CHECK (id = 1), nextSlotAt INTEGER NOT NULL);
INSERT INTO dispatch_slots (id, nextSlotAt) VALUES (1, 0);
)sql",
    // 4: a scheduled call's calling window (JSON or NULL).
    R"sql(
ALTER TABLE scheduled_calls ADD COLUMN callWindow TEXT;
)sql",
    // 5: a call log's Media Stream, found by its streamSid when it ends.
    R"sql(
ALTER TABLE calllogs ADD COLUMN streamStartedAt INTEGER;
ALTER TABLE calllogs ADD COLUMN streamEndedAt INTEGER;
ALTER TABLE calllogs ADD COLUMN streamDurationMs INTEGER;
CREATE INDEX calllogs_by_stream ON calllogs (streamSid) WHERE streamSid != '';
)sql",
    // 6: which engines held the conversation (JSON {llm, stt, tts}); the transcript's turns gain latency.
    R"sql(
ALTER TABLE calllogs ADD COLUMN engines TEXT NOT NULL DEFAULT '{}';
)sql",
    // 7: a prompt's conversation settings (JSON, store/conversation_json.hpp), snapshotted into its calls.
    R"sql(
ALTER TABLE prompts ADD COLUMN conversation TEXT NOT NULL DEFAULT '{}';
ALTER TABLE scheduled_calls ADD COLUMN conversation TEXT NOT NULL DEFAULT '{}';
)sql",
    // 8: toll-fraud limits. Why a pending recipient waits ('', 'window', 'daily-budget',
    // 'cooldown'); the dialedAt a claim replaced, put back when a window deferral gives the attempt
    // back (so dialedAt is always the latest real dial, which the per-number cooldown reads); and
    // the dials claimed per UTC day (day = its midnight in ms), shared by every worker like
    // dispatch_slots.
    R"sql(
ALTER TABLE recipients ADD COLUMN deferredReason TEXT NOT NULL DEFAULT '';
ALTER TABLE recipients ADD COLUMN priorDialedAt INTEGER;
CREATE TABLE dispatch_daily_dials (day INTEGER PRIMARY KEY, dials INTEGER NOT NULL);
)sql",
    // 9: each CallSid our voice webhook answered with a stream, so that it is answered once; a
    // recipient is found by its callSid (is a CallSid another attempt's?); and what
    // --retention-days has purged, with the records it has still to look at found by index.
    R"sql(
CREATE TABLE answered_calls (callSid TEXT PRIMARY KEY, answeredAt INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX recipients_by_sid ON recipients (callSid);
ALTER TABLE scheduled_calls ADD COLUMN purgedAt INTEGER;
ALTER TABLE calllogs ADD COLUMN purgedAt INTEGER;
CREATE INDEX scheduled_calls_unpurged ON scheduled_calls (updatedAt) WHERE purgedAt IS NULL;
CREATE INDEX calllogs_unpurged ON calllogs (updatedAt) WHERE purgedAt IS NULL;
CREATE INDEX answered_calls_by_time ON answered_calls (answeredAt);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (createdAt);
)sql",
    // 10: campaigns. A recipient's variables for the call's {{placeholders}} (a JSON object of
    // strings, NULL for none), and the rendered system prompt and greeting a call used.
    R"sql(
ALTER TABLE recipients ADD COLUMN variables TEXT;
ALTER TABLE calllogs ADD COLUMN content TEXT NOT NULL DEFAULT '';
ALTER TABLE calllogs ADD COLUMN introduction TEXT NOT NULL DEFAULT '';
)sql",
};
}  // namespace

int schema_version() { return static_cast<int>(std::size(kMigrations)); }

namespace {
int user_version(Connection& c) {
    Statement version(c, "PRAGMA user_version");
    version.step();
    return static_cast<int>(version.integer(0));
}
}  // namespace

void migrate(Connection& c, int target) {
    if (target < 0 || target > schema_version()) throw std::invalid_argument("no such schema version");
    // The common case, an up-to-date file, needs no write lock.
    if (user_version(c) == target) return;
    c.exec("BEGIN IMMEDIATE");
    try {
        int current = user_version(c);  // again, under the lock: another process may have migrated
        if (current > schema_version()) {
            throw StoreFailure("database schema version " + std::to_string(current) +
                               " is newer than this build knows (" + std::to_string(schema_version()) + ")");
        }
        for (int v = current; v < target; ++v) c.exec(kMigrations[v]);
        if (current < target) c.exec("PRAGMA user_version = " + std::to_string(target));
        c.exec("COMMIT");
    } catch (...) {
        if (c.in_transaction()) c.exec("ROLLBACK");
        throw;
    }
}

}  // namespace va::store::sqlite
