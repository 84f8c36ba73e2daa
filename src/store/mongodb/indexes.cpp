#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

namespace {
// Pages walk (createdAt, _id) newest first; filters put their field in front.
Bson newest_first(const char* field = nullptr) {
    Bson key;
    if (field) key.append(field, 1);
    key.append("createdAt", -1).append("_id", -1);
    return key;
}
}  // namespace

void create_indexes(Collections& c) {
    c.prompts.create_indexes(Array().push(doc("key", newest_first(), "name", "prompts_by_created")));
    c.scheduled_calls.create_indexes(Array()
                                         .push(doc("key", newest_first(), "name", "scheduled_calls_by_created"))
                                         .push(doc("key", newest_first("status"), "name", "scheduled_calls_by_status"))
                                         .push(doc("key", doc("status", 1, "scheduledDateTime", 1), "name",
                                                   "scheduled_calls_due"))
                                         .push(doc("key", doc("completionCheckAt", 1), "name",
                                                   "scheduled_calls_completion_checks", "sparse", true)));
    // The dispatcher's scans: due recipients, expired leases, a number's dials, a CallSid's attempt.
    c.recipients.create_indexes(Array()
                                    .push(doc("key", doc("scheduledCallId", 1, "position", 1), "name", "recipients_by_call"))
                                    .push(doc("key", doc("status", 1, "nextAttemptAt", 1, "scheduledCallId", 1, "position", 1), "name", "recipients_due"))
                                    .push(doc("key", doc("status", 1, "leaseExpiresAt", 1), "name", "recipients_leases"))
                                    .push(doc("key", doc("phoneNumber", 1, "dialedAt", -1), "name", "recipients_by_phone"))
                                    .push(doc("key", doc("callSid", 1), "name", "recipients_by_sid")));
    c.call_logs.create_indexes(Array()
                                   .push(doc("key", newest_first(), "name", "calllogs_by_created"))
                                   .push(doc("key", newest_first("scheduledCallId"), "name", "calllogs_by_call"))
                                   .push(doc("key", newest_first("to"), "name", "calllogs_by_to"))
                                   .push(doc("key", newest_first("status"), "name", "calllogs_by_status"))
                                   .push(doc("key", doc("callSid", 1), "name", "calllogs_by_sid"))
                                   .push(doc("key", doc("streamSid", 1), "name", "calllogs_by_stream"))
                                   .push(doc("key", doc("attemptId", 1), "name", "calllogs_by_attempt")));
    // What the hourly sweeps delete by age.
    c.idempotency_keys.create_indexes(Array().push(doc("key", doc("createdAt", 1), "name", "idempotency_keys_by_time")));
    c.answered_calls.create_indexes(Array().push(doc("key", doc("answeredAt", 1), "name", "answered_calls_by_time")));
}

}  // namespace va::store::mongodb
