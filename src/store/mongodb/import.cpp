// Records copied from another store with their ids and state (`voiceagent store copy`), each
// insert-if-absent: a copy run again adds only what is new.
#include "store/mongodb/mongo_store.hpp"
#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

bool MongoStore::import(const Prompt& prompt) { return collections_->prompts.insert_one(prompt_document(prompt)); }

bool MongoStore::import(const ScheduledCall& call) {
    auto& c = *collections_;
    // Recipients first, then the call and its mark: a copy stopped half-way is finished by the
    // next run (the recipients' inserts skip those already there).
    for (std::size_t i = 0; i < call.recipients.size(); ++i) {
        const auto& r = call.recipients[i];
        auto d = recipient_document(call.id, static_cast<int>(i), r, r.next_attempt_at);
        // A live recipient (being dialed, or on a call, when the copy was taken) is looked up in
        // Twilio's call list, or its call fetched, at the first claim: its lease has run out.
        if (r.status != RecipientStatus::pending && !is_final(r.status)) d.append("leaseExpiresAt", TimePoint{});
        c.recipients.insert_one(d);
    }
    auto d = scheduled_call_document(call);
    d.append("recipientsCreatedAt", call.updated_at);
    return c.scheduled_calls.insert_one(d);
}

bool MongoStore::import(const CallLog& log) {
    if (!log.attempt_id.empty() && attempt_log_id(*collections_, log.attempt_id, log.id) != log.id) return false;
    return collections_->call_logs.insert_one(call_log_document(log));
}

}  // namespace va::store::mongodb
