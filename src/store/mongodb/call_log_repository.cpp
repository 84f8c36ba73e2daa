#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

std::string attempt_log_id(Collections& c, const std::string& attempt_id, const std::string& proposed) {
    const auto id = derived_id({"attempt-log", attempt_id});
    if (c.attempt_logs.insert_one(doc("_id", id, "attemptId", attempt_id, "logId", proposed))) return proposed;
    auto chosen = c.attempt_logs.find_one(doc("_id", id));
    if (!chosen) throw MongoFailure("attempt_logs lost the entry of attempt " + attempt_id, 0);
    return View(chosen->get()).text("logId");
}

namespace {
class MongoCallLogRepository final : public CallLogRepository {
public:
    explicit MongoCallLogRepository(Collections& c) : c_(c) {}

    void create(const CallLog& l) override {
        if (!l.attempt_id.empty() && attempt_log_id(c_, l.attempt_id, l.id) != l.id) {
            throw MongoFailure("attempt " + l.attempt_id + " has a call log already", 0);
        }
        c_.call_logs.insert_one(call_log_document(l));
    }

    bool record_answer(const std::string& call_sid, TimePoint at) override {
        return c_.answered_calls.insert_one(
            doc("_id", derived_id({"answered-call", call_sid}), "callSid", call_sid, "answeredAt", at));
    }

    bool record_stream_start(const StreamStart& st) override {
        auto stream = doc("callSid", st.call_sid, "streamSid", st.stream_sid, "streamStartedAt", st.at, "updatedAt", st.at,
                          "content", st.content, "introduction", st.introduction);
        if (st.attempt_id.empty()) {
            auto filter = id_filter(st.log_id);
            filter.append("attemptId", "").append("streamSid", "");
            return c_.call_logs.update_one(filter, doc("$set", stream)).matched == 1;
        }
        // The dispatcher writes the attempt's log when Twilio answers the create request; the
        // callee can pick up first (a fast answer), so the stream may be the one to create it.
        const auto id = attempt_log_id(c_, st.attempt_id, st.log_id);
        CallLog created;
        created.id = id;
        created.scheduled_call_id = st.scheduled_call_id;
        created.to = st.to;
        created.from = st.from;
        created.status = "in-progress";
        created.attempt_id = st.attempt_id;
        created.started_at = st.at;
        created.created_at = st.at;
        // The whole record on insert, but for what the filter and $set write.
        Bson on_insert;
        bson_copy_to_excluding_noinit(call_log_document(created).get(), on_insert.get(), "_id", "callSid", "streamSid",
                                      "streamStartedAt", "updatedAt", "content", "introduction", nullptr);
        auto filter = id_filter(id);
        filter.append("streamSid", "");
        // A log that has a stream already does not match; its _id then refuses the insert.
        auto result = c_.call_logs.update_one(filter, doc("$set", stream, "$setOnInsert", on_insert), true);
        return result.matched == 1 || result.upserted;
    }

    bool record_stream_end(const std::string& stream_sid, TimePoint at) override {
        if (stream_sid.empty()) return false;
        auto found = c_.call_logs.find_one(doc("streamSid", stream_sid, "streamEndedAt", nullptr));
        if (!found) return false;
        View log(found->get());
        auto started = log.time("streamStartedAt").value_or(at);
        const auto ms = std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(at - started).count());
        auto filter = doc("_id", *object_id(log.text("_id")), "streamSid", stream_sid, "streamEndedAt", nullptr);
        auto set = doc("streamEndedAt", at, "updatedAt", at, "streamDurationMs", static_cast<long long>(ms));
        return c_.call_logs.update_one(filter, doc("$set", set)).modified == 1;
    }

    bool record_conversation(const std::string& stream_sid, const std::vector<TranscriptTurn>& transcript,
                             const ConversationEngines& engines, TimePoint at) override {
        if (stream_sid.empty()) return false;
        auto set = doc("engines", engines_document(engines), "updatedAt", at);
        set.append_array("transcript", transcript_array(transcript).bson());
        return c_.call_logs.update_one(doc("streamSid", stream_sid), doc("$set", set)).matched == 1;
    }

    std::optional<CallLog> get(const std::string& id) override {
        auto found = c_.call_logs.find_one(id_filter(id));
        if (!found) return std::nullopt;
        return call_log_from(View(found->get()));
    }

    Page<CallLog> list(const CallLogQuery& q) override {
        Bson filter;
        if (q.scheduled_call_id) filter = reference_filter("scheduledCallId", *q.scheduled_call_id);
        if (q.phone_number) filter.append("to", *q.phone_number);
        if (q.status) filter.append("status", *q.status);
        std::vector<CallLog> items;
        for (const auto& d : c_.call_logs.find(page_filter(std::move(filter), q.page), page_options(q.page))) {
            items.push_back(call_log_from(View(d.get())));
        }
        return finish_page(std::move(items), q.page);
    }

private:
    Collections& c_;
};
}  // namespace

std::unique_ptr<CallLogRepository> make_call_log_repository(Collections& c) {
    return std::make_unique<MongoCallLogRepository>(c);
}

}  // namespace va::store::mongodb
