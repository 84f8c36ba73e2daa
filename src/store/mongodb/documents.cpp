#include "store/mongodb/documents.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "store/conversation_json.hpp"
#include "store/settings_json.hpp"

namespace va::store::mongodb {

namespace json = boost::json;

namespace {
// A stored object that no longer parses (hand-edited, or another version's) reads as absent
// rather than failing every listing that includes its record.
template <typename T, typename Parse>
std::optional<T> settings_from(const View& doc, const char* field, Parse parse) {
    auto value = doc.json(field);
    if (!value.is_object()) return std::nullopt;
    try {
        return parse(value.get_object());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

ConversationOverrides conversation_from(const View& doc) {
    auto value = doc.json("conversation");
    return value.is_object() ? conversation_from_json(value.get_object()) : ConversationOverrides{};
}

// Times the original system may not have written fall back to the ObjectId's creation second.
TimePoint created_at_of(const View& doc) {
    if (auto t = doc.time("createdAt")) return *t;
    auto id = doc.text("_id");
    if (id.size() != 24) return {};
    return TimePoint(std::chrono::seconds(std::stoll(id.substr(0, 8), nullptr, 16)));
}

constexpr std::pair<const char*, std::optional<std::int64_t> TurnLatency::*> kLatencyFields[] = {
    {"sttFinalMs", &TurnLatency::stt_final_ms},
    {"llmFirstTokenMs", &TurnLatency::llm_first_token_ms},
    {"ttsFirstAudioMs", &TurnLatency::tts_first_audio_ms},
    {"voiceToVoiceMs", &TurnLatency::voice_to_voice_ms},
};
}  // namespace

Bson id_filter(const std::string& id) {
    if (auto oid = object_id(id)) return doc("_id", *oid);
    return doc("_id", id);  // matches nothing we or the original system wrote
}

Bson reference_filter(const char* field, const std::string& id) {
    Array either;
    either.push(id);
    if (auto oid = object_id(id)) either.push(*oid);
    Bson in;
    in.append_array("$in", either.bson());
    return doc(field, in);
}

ObjectId recipient_id(const std::string& scheduled_call_id, int position) {
    return derived_id({"recipient", scheduled_call_id, std::to_string(position)});
}

Bson prompt_document(const Prompt& p) {
    return doc("_id", *object_id(p.id), "name", p.name, "content", p.content, "introduction", p.introduction,
               "conversation", json::value(conversation_to_json(p.conversation)), "createdAt", p.created_at,
               "updatedAt", p.updated_at);
}

Prompt prompt_from(const View& d) {
    Prompt p;
    p.id = d.text("_id");
    p.name = d.text("name");
    p.content = d.text("content");
    p.introduction = d.text("introduction");
    p.conversation = conversation_from(d);
    p.created_at = created_at_of(d);
    p.updated_at = d.time("updatedAt").value_or(p.created_at);
    return p;
}

Bson scheduled_call_document(const ScheduledCall& c) {
    Array numbers;
    for (const auto& n : c.to_phone_numbers) numbers.push(n);
    auto out = doc("_id", *object_id(c.id));
    out.append_array("toPhoneNumbers", numbers.bson());
    out.append("promptId", c.prompt_id)
        .append("scheduledDateTime", c.scheduled_date_time)
        .append("status", to_string(c.status))
        .append("content", c.content)
        .append("introduction", c.introduction)
        .append("conversation", json::value(conversation_to_json(c.conversation)))
        .append("createdAt", c.created_at)
        .append("updatedAt", c.updated_at);
    if (c.retry) out.append("retry", json::value(retry_to_json(*c.retry)));
    if (c.call_window) out.append("callWindow", json::value(call_window_to_json(*c.call_window)));
    std::vector<core::Variables> variables;
    for (const auto& r : c.recipients) variables.push_back(r.variables);
    if (any_variables(variables)) out.append_array("recipientVariables", variables_array(variables).bson());
    return out;
}

namespace {
Bson variables_document(const core::Variables& variables) {
    Bson out;
    for (const auto& [name, value] : variables) out.append(name, value);
    return out;
}

core::Variables variables_from(const View& d) { return variables_from_json(d.object()); }
}  // namespace

Array variables_array(const std::vector<core::Variables>& variables) {
    Array out;
    for (const auto& v : variables) out.push(variables_document(v));
    return out;
}

bool any_variables(const std::vector<core::Variables>& variables) {
    return std::any_of(variables.begin(), variables.end(), [](const core::Variables& v) { return !v.empty(); });
}

std::vector<core::Variables> recipient_variables(const View& call_doc, std::size_t recipients) {
    std::vector<core::Variables> out;
    call_doc.for_each_document("recipientVariables", [&](const View& v) { out.push_back(variables_from(v)); });
    out.resize(recipients);
    return out;
}

ScheduledCall scheduled_call_from(const View& d) {
    ScheduledCall c;
    c.id = d.text("_id");
    c.to_phone_numbers = d.strings("toPhoneNumbers");
    c.prompt_id = d.text("promptId");
    c.scheduled_date_time = d.time("scheduledDateTime").value_or(TimePoint{});
    c.status = parse_call_status(d.text("status")).value_or(CallStatus::failed);
    c.content = d.text("content");
    c.introduction = d.text("introduction");
    c.conversation = conversation_from(d);
    c.retry = settings_from<RetryPolicy>(d, "retry", retry_from_json);
    c.call_window = settings_from<CallingWindow>(d, "callWindow", call_window_from_json);
    c.created_at = created_at_of(d);
    c.updated_at = d.time("updatedAt").value_or(c.created_at);
    return c;
}

Bson recipient_document(const std::string& scheduled_call_id, int position, const Recipient& r,
                        std::optional<TimePoint> due) {
    auto out = doc("_id", recipient_id(scheduled_call_id, position), "fence", 0L);
    out.concat(recipient_fields(scheduled_call_id, position, r, due));
    return out;
}

Bson recipient_fields(const std::string& scheduled_call_id, int position, const Recipient& r,
                      std::optional<TimePoint> due) {
    return doc("variables", variables_document(r.variables), "scheduledCallId", scheduled_call_id, "position", position, "phoneNumber", r.phone_number, "status",
               to_string(r.status), "attempt", r.attempt, "unplaced", 0, "callSid", r.call_sid, "errorCode",
               r.error_code, "errorMessage", r.error_message, "nextAttemptAt", due, "deferredReason",
               to_string(r.deferred_reason), "dialedAt", r.dialed_at, "updatedAt", r.updated_at);
}

Recipient recipient_from(const View& d) {
    Recipient r;
    r.phone_number = d.text("phoneNumber");
    r.status = parse_recipient_status(d.text("status")).value_or(RecipientStatus::unknown);
    r.attempt = static_cast<int>(d.integer("attempt").value_or(0));
    r.call_sid = d.text("callSid");
    if (auto code = d.integer("errorCode")) r.error_code = static_cast<int>(*code);
    r.error_message = d.text("errorMessage");
    r.updated_at = d.time("updatedAt").value_or(TimePoint{});
    r.dialed_at = d.time("dialedAt");
    r.next_attempt_at = d.time("nextAttemptAt");
    // Only a pending recipient waits for a reason.
    if (r.status == RecipientStatus::pending) {
        r.deferred_reason = parse_deferred_reason(d.text("deferredReason")).value_or(DeferredReason::none);
    }
    if (auto variables = d.document("variables")) r.variables = variables_from(*variables);
    return r;
}

Array transcript_array(const std::vector<TranscriptTurn>& turns) {
    Array out;
    for (const auto& t : turns) {
        auto turn = doc("role", t.role, "text", t.text, "startedAt", t.started_at, "endedAt", t.ended_at,
                        "interrupted", t.interrupted, "backchannel", t.backchannel);
        if (t.latency) {
            Bson latency;
            for (const auto& [name, field] : kLatencyFields) {
                if (auto v = (*t.latency).*field) latency.append(name, static_cast<long long>(*v));
            }
            turn.append("latency", latency);
        }
        out.push(turn);
    }
    return out;
}

Bson engines_document(const ConversationEngines& e) { return doc("llm", e.llm, "stt", e.stt, "tts", e.tts); }

Bson call_log_document(const CallLog& l) {
    auto out = doc("_id", *object_id(l.id), "scheduledCallId", l.scheduled_call_id, "to", l.to, "from", l.from,
                   "callSid", l.call_sid, "streamSid", l.stream_sid, "status", l.status, "answeredBy",
                   l.answered_by, "attemptId", l.attempt_id, "startedAt", l.started_at, "answeredAt", l.answered_at,
                   "endedAt", l.ended_at, "duration", l.duration, "streamStartedAt", l.stream_started_at,
                   "streamEndedAt", l.stream_ended_at, "streamDurationMs", l.stream_duration_ms, "content",
                   l.content, "introduction", l.introduction);
    out.append_array("transcript", transcript_array(l.transcript).bson());
    out.append("engines", engines_document(l.engines)).append("createdAt", l.created_at).append("updatedAt", l.updated_at);
    return out;
}

CallLog call_log_from(const View& d) {
    CallLog l;
    l.id = d.text("_id");
    l.scheduled_call_id = d.text("scheduledCallId");
    l.to = d.text("to");
    l.from = d.text("from");
    l.call_sid = d.text("callSid");
    l.stream_sid = d.text("streamSid");
    l.status = d.text("status");
    l.answered_by = d.text("answeredBy");
    l.attempt_id = d.text("attemptId");
    l.started_at = d.time("startedAt");
    l.answered_at = d.time("answeredAt");
    l.ended_at = d.time("endedAt");
    if (auto s = d.integer("duration")) l.duration = static_cast<int>(*s);
    l.stream_started_at = d.time("streamStartedAt");
    l.stream_ended_at = d.time("streamEndedAt");
    l.stream_duration_ms = d.integer("streamDurationMs");
    l.content = d.text("content");
    l.introduction = d.text("introduction");
    d.for_each_document("transcript", [&l](const View& t) {
        TranscriptTurn turn;
        turn.role = t.text("role");
        turn.text = t.text("text");
        turn.started_at = t.time("startedAt").value_or(TimePoint{});
        turn.ended_at = t.time("endedAt").value_or(TimePoint{});
        turn.interrupted = t.boolean("interrupted").value_or(false);
        turn.backchannel = t.boolean("backchannel").value_or(false);
        if (auto latency = t.document("latency")) {
            TurnLatency out;
            for (const auto& [name, field] : kLatencyFields) out.*field = latency->integer(name);
            turn.latency = out;
        }
        l.transcript.push_back(std::move(turn));
    });
    if (auto e = d.document("engines")) l.engines = {e->text("llm"), e->text("stt"), e->text("tts")};
    l.created_at = created_at_of(d);
    l.updated_at = d.time("updatedAt").value_or(l.created_at);
    return l;
}

}  // namespace va::store::mongodb
