// --retention-days on MongoDB: finished calls and their logs lose their transcripts, their
// recipients' variables and the prompts rendered with them, and all but the last 4 digits of their
// numbers, each record once (purgedAt), one document per write, so
// other writers never wait behind a purge; the answered CallSids go. A call with a recipient
// dialed since `cooldown_since` keeps its numbers: the per-number cooldown reads them.
#include "store/mongodb/mongo_store.hpp"
#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

namespace {
std::string masked(const std::string& number) {
    if (number.size() <= 4) return number;
    return std::string(number.size() - 4, '*') + number.substr(number.size() - 4);
}


// Not purged yet, finished, and last changed before `before`.
Bson unpurged(Bson statuses, TimePoint before) {
    return doc("purgedAt", nullptr, "updatedAt", doc("$lt", before), "status", statuses);
}

std::size_t purge_call_logs(Collections& c, const PurgeRequest& r) {
    std::size_t purged = 0;
    auto finished = [] { return any_of({"completed", "busy", "no-answer", "failed", "canceled"}); };
    for (;;) {
        auto batch = c.call_logs.find(unpurged(finished(), r.before), FindOptions{Bson(), static_cast<std::int64_t>(r.batch), Bson()});
        for (const auto& d : batch) {
            View log(d.get());
            auto filter = doc("_id", *object_id(log.text("_id")), "purgedAt", nullptr);
            auto set = doc("to", masked(log.text("to")), "from", masked(log.text("from")), "purgedAt", r.now, "content", "",
                           "introduction", "");
            set.append_array("transcript", Bson());
            purged += static_cast<std::size_t>(c.call_logs.update_one(filter, doc("$set", set)).modified);
        }
        if (batch.size() < r.batch) return purged;
    }
}

std::size_t purge_scheduled_calls(Collections& c, const PurgeRequest& r) {
    std::size_t purged = 0;
    // Calls whose numbers the cooldown still needs are passed over, not purged: the next batch
    // starts after the last one looked at, in (updatedAt, _id) order.
    std::optional<std::pair<TimePoint, ObjectId>> after;
    for (;;) {
        auto filter = unpurged(any_of({"completed", "canceled", "failed"}), r.before);
        if (after) {
            Array later;
            later.push(doc("updatedAt", doc("$gt", after->first)))
                .push(doc("updatedAt", after->first, "_id", doc("$gt", after->second)));
            filter.append_array("$or", later.bson());
        }
        FindOptions order{doc("updatedAt", 1, "_id", 1), static_cast<std::int64_t>(r.batch), Bson()};
        auto batch = c.scheduled_calls.find(filter, order);
        for (const auto& d : batch) {
            auto call = scheduled_call_from(View(d.get()));
            const auto recent = doc("scheduledCallId", call.id, "dialedAt", doc("$gte", r.cooldown_since));
            if (c.recipients.count(recent) > 0) continue;
            Array numbers;
            for (const auto& n : call.to_phone_numbers) numbers.push(masked(n));
            for (const auto& rd : c.recipients.find(doc("scheduledCallId", call.id))) {
                View recipient(rd.get());
                c.recipients.update_one(doc("_id", *object_id(recipient.text("_id"))),
                                        doc("$set", doc("phoneNumber", masked(recipient.text("phoneNumber")), "variables", Bson())));
            }
            auto set = doc("purgedAt", r.now);
            set.append_array("toPhoneNumbers", numbers.bson());
            purged += static_cast<std::size_t>(
                c.scheduled_calls.update_one(doc("_id", *object_id(call.id), "purgedAt", nullptr), doc("$set", set)).modified);
        }
        if (batch.size() < r.batch) return purged;
        View last(batch.back().get());
        after.emplace(last.time("updatedAt").value_or(TimePoint{}), *object_id(last.text("_id")));
    }
}
}  // namespace

PurgeResult MongoStore::purge_finished(const PurgeRequest& request) {
    PurgeResult out;
    out.call_logs = purge_call_logs(*collections_, request);
    out.scheduled_calls = purge_scheduled_calls(*collections_, request);
    collections_->answered_calls.delete_many(doc("answeredAt", doc("$lt", request.before)));
    return out;
}

}  // namespace va::store::mongodb
