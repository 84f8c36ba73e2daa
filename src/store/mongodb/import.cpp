// Records copied from another store with their ids and state (`voiceagent store copy`), each
// insert-if-absent: a copy run again adds only what is new.
#include "store/mongodb/mongo_store.hpp"
#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

bool MongoStore::import(const Prompt& prompt) { return collections_->prompts.insert_one(prompt_document(prompt)); }

bool MongoStore::import(const ScheduledCall& call) {
    auto& c = *collections_;
    // As a new call is written: the call, its recipients, then the mark that they are all there.
    // A copy stopped half-way is finished by the next run (the inserts skip what is there).
    const bool copied = c.scheduled_calls.insert_one(scheduled_call_document(call));
    for (std::size_t i = 0; i < call.recipients.size(); ++i) {
        const auto& r = call.recipients[i];
        auto d = recipient_document(call.id, static_cast<int>(i), r, r.next_attempt_at);
        // A live recipient (being dialed, or on a call, when the copy was taken) is looked up in
        // Twilio's call list, or its call fetched, at the first claim: its lease has run out.
        if (r.status != RecipientStatus::pending && !is_final(r.status)) d.append("leaseExpiresAt", TimePoint{});
        c.recipients.insert_one(d);
    }
    c.scheduled_calls.update_one(id_filter(call.id), doc("$set", doc("recipientsCreatedAt", call.updated_at)));
    return copied;
}

bool MongoStore::import(const CallLog& log) {
    if (!log.attempt_id.empty() && attempt_log_id(*collections_, log.attempt_id, log.id) != log.id) return false;
    return collections_->call_logs.insert_one(call_log_document(log));
}

}  // namespace va::store::mongodb
