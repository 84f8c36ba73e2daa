#include <boost/json.hpp>

#include "store/sqlite/paging.hpp"
#include "store/sqlite/repositories.hpp"

namespace va::store::sqlite {

namespace {
namespace json = boost::json;

constexpr const char* kColumns =
    "SELECT id, scheduledCallId, \"to\", \"from\", callSid, streamSid, status, answeredBy, startedAt, answeredAt, "
    "endedAt, duration, transcript, createdAt, updatedAt, attemptId, streamStartedAt, streamEndedAt, "
    "streamDurationMs, engines, content, introduction FROM calllogs";

std::optional<TimePoint> optional_time(const Statement& s, int column) {
    auto ms = s.optional_integer(column);
    return ms ? std::optional(from_millis(*ms)) : std::nullopt;
}

std::optional<std::int64_t> optional_millis(const std::optional<TimePoint>& t) {
    return t ? std::optional(to_millis(*t)) : std::nullopt;
}

// The latency fields a turn has; absent ones are left out.
constexpr std::pair<const char*, std::optional<std::int64_t> TurnLatency::*> kLatencyFields[] = {
    {"sttFinalMs", &TurnLatency::stt_final_ms},
    {"llmFirstTokenMs", &TurnLatency::llm_first_token_ms},
    {"ttsFirstAudioMs", &TurnLatency::tts_first_audio_ms},
    {"voiceToVoiceMs", &TurnLatency::voice_to_voice_ms},
};

std::string transcript_to_json(const std::vector<TranscriptTurn>& turns) {
    json::array out;
    for (const auto& t : turns) {
        json::object turn{{"role", t.role},
                          {"text", t.text},
                          {"startedAt", to_millis(t.started_at)},
                          {"endedAt", to_millis(t.ended_at)},
                          {"interrupted", t.interrupted},
                          {"backchannel", t.backchannel}};
        if (t.latency) {
            json::object latency;
            for (const auto& [name, field] : kLatencyFields) {
                if (auto v = (*t.latency).*field) latency[name] = *v;
            }
            turn["latency"] = std::move(latency);
        }
        out.push_back(std::move(turn));
    }
    return json::serialize(out);
}

std::vector<TranscriptTurn> transcript_from_json(const std::string& text) {
    std::vector<TranscriptTurn> out;
    auto parsed = json::parse(text);
    for (const auto& v : parsed.as_array()) {
        const auto& o = v.as_object();
        TranscriptTurn turn{std::string(o.at("role").as_string()), std::string(o.at("text").as_string()),
                            from_millis(o.at("startedAt").as_int64()), from_millis(o.at("endedAt").as_int64()),
                            o.at("interrupted").as_bool(), std::nullopt};
        if (const auto* backchannel = o.if_contains("backchannel")) turn.backchannel = backchannel->as_bool();
        if (const auto* latency = o.if_contains("latency")) {
            TurnLatency l;
            for (const auto& [name, field] : kLatencyFields) {
                if (const auto* ms = latency->as_object().if_contains(name)) l.*field = ms->as_int64();
            }
            turn.latency = l;
        }
        out.push_back(std::move(turn));
    }
    return out;
}

std::string engines_to_json(const ConversationEngines& e) {
    return json::serialize(json::object{{"llm", e.llm}, {"stt", e.stt}, {"tts", e.tts}});
}

ConversationEngines engines_from_json(const std::string& text) {
    ConversationEngines e;
    const auto parsed = json::parse(text).as_object();
    auto field = [&parsed](const char* name) {
        const auto* v = parsed.if_contains(name);
        return v ? std::string(v->as_string()) : std::string();
    };
    e.llm = field("llm");
    e.stt = field("stt");
    e.tts = field("tts");
    return e;
}

CallLog read_log(const Statement& s) {
    CallLog l;
    l.id = s.text(0);
    l.scheduled_call_id = s.text(1);
    l.to = s.text(2);
    l.from = s.text(3);
    l.call_sid = s.text(4);
    l.stream_sid = s.text(5);
    l.status = s.text(6);
    l.answered_by = s.text(7);
    l.started_at = optional_time(s, 8);
    l.answered_at = optional_time(s, 9);
    l.ended_at = optional_time(s, 10);
    if (auto d = s.optional_integer(11)) l.duration = static_cast<int>(*d);
    l.transcript = transcript_from_json(s.text(12));
    l.created_at = from_millis(s.integer(13));
    l.updated_at = from_millis(s.integer(14));
    l.attempt_id = s.text(15);
    l.stream_started_at = optional_time(s, 16);
    l.stream_ended_at = optional_time(s, 17);
    l.stream_duration_ms = s.optional_integer(18);
    l.engines = engines_from_json(s.text(19));
    l.content = s.text(20);
    l.introduction = s.text(21);
    return l;
}

class SqliteCallLogRepository final : public CallLogRepository {
public:
    SqliteCallLogRepository(WriteQueue& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

    void create(const CallLog& l) override {
        writer_.run([&](Connection& c) {
            Statement s(c,
                        "INSERT INTO calllogs (id, scheduledCallId, \"to\", \"from\", callSid, streamSid, status, "
                        "answeredBy, startedAt, answeredAt, endedAt, duration, transcript, createdAt, updatedAt, attemptId, "
                        "streamStartedAt, streamEndedAt, streamDurationMs, content, introduction) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, l.id).bind(2, l.scheduled_call_id).bind(3, l.to).bind(4, l.from).bind(5, l.call_sid);
            s.bind(6, l.stream_sid).bind(7, l.status).bind(8, l.answered_by);
            s.bind(9, optional_millis(l.started_at)).bind(10, optional_millis(l.answered_at));
            s.bind(11, optional_millis(l.ended_at));
            s.bind(12, l.duration ? std::optional<std::int64_t>(*l.duration) : std::nullopt);
            s.bind(13, transcript_to_json(l.transcript)).bind(14, to_millis(l.created_at));
            s.bind(15, to_millis(l.updated_at)).bind(16, l.attempt_id);
            s.bind(17, optional_millis(l.stream_started_at)).bind(18, optional_millis(l.stream_ended_at));
            s.bind(19, l.stream_duration_ms).bind(20, l.content).bind(21, l.introduction).run();
        });
    }

    bool record_answer(const std::string& call_sid, TimePoint at) override {
        return writer_.run([&](Connection& c) {
            Statement s(c, "INSERT INTO answered_calls (callSid, answeredAt) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
            s.bind(1, call_sid).bind(2, to_millis(at)).run();
            return c.changes() == 1;
        });
    }

    bool record_stream_start(const StreamStart& st) override {
        return writer_.run([&](Connection& c) {
            if (st.attempt_id.empty()) {
                Statement s(c,
                            "UPDATE calllogs SET callSid = ?1, streamSid = ?2, streamStartedAt = ?3, updatedAt = ?3, "
                            "content = ?5, introduction = ?6 WHERE id = ?4 AND attemptId = '' AND streamSid = ''");
                s.bind(1, st.call_sid).bind(2, st.stream_sid).bind(3, to_millis(st.at)).bind(4, st.log_id);
                s.bind(5, st.content).bind(6, st.introduction).run();
                return c.changes() == 1;
            }
            // The dispatcher writes the attempt's record when Twilio answers the create request; the
            // callee can pick up first (a fast answer), so the stream may be the one to create it.
            Statement s(c,
                        "INSERT INTO calllogs (id, scheduledCallId, \"to\", \"from\", callSid, streamSid, status, "
                        "attemptId, startedAt, streamStartedAt, createdAt, updatedAt, content, introduction) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'in-progress', ?7, ?8, ?8, ?8, ?8, ?9, ?10) "
                        "ON CONFLICT (attemptId) WHERE attemptId != '' DO UPDATE SET callSid = excluded.callSid, "
                        "streamSid = excluded.streamSid, streamStartedAt = excluded.streamStartedAt, "
                        "updatedAt = excluded.updatedAt, content = excluded.content, "
                        "introduction = excluded.introduction WHERE streamSid = ''");
            s.bind(1, st.log_id).bind(2, st.scheduled_call_id).bind(3, st.to).bind(4, st.from);
            s.bind(5, st.call_sid).bind(6, st.stream_sid).bind(7, st.attempt_id).bind(8, to_millis(st.at));
            s.bind(9, st.content).bind(10, st.introduction).run();
            return c.changes() == 1;
        });
    }

    bool record_stream_end(const std::string& stream_sid, TimePoint at) override {
        return writer_.run([&](Connection& c) {
            Statement s(c,
                        "UPDATE calllogs SET streamEndedAt = ?1, updatedAt = ?1, "
                        "streamDurationMs = MAX(0, ?1 - streamStartedAt) "
                        "WHERE streamSid = ?2 AND streamSid != '' AND streamEndedAt IS NULL");
            s.bind(1, to_millis(at)).bind(2, stream_sid).run();
            return c.changes() == 1;
        });
    }

    bool record_conversation(const std::string& stream_sid, const std::vector<TranscriptTurn>& transcript,
                             const ConversationEngines& engines, TimePoint at) override {
        return writer_.run([&](Connection& c) {
            Statement s(c,
                        "UPDATE calllogs SET transcript = ?1, engines = ?2, updatedAt = ?3 "
                        "WHERE streamSid = ?4 AND streamSid != ''");
            s.bind(1, transcript_to_json(transcript)).bind(2, engines_to_json(engines)).bind(3, to_millis(at));
            s.bind(4, stream_sid).run();
            return c.changes() == 1;
        });
    }

    std::optional<CallLog> get(const std::string& id) override {
        return readers_.run([&](Connection& c) -> std::optional<CallLog> {
            Statement s(c, std::string(kColumns) + " WHERE id = ?");
            s.bind(1, id);
            if (!s.step()) return std::nullopt;
            return read_log(s);
        });
    }

    Page<CallLog> list(const CallLogQuery& q) override {
        Filter filter;
        if (q.scheduled_call_id) filter.add("scheduledCallId = ?", *q.scheduled_call_id);
        if (q.phone_number) filter.add("\"to\" = ?", *q.phone_number);
        if (q.status) filter.add("status = ?", *q.status);
        filter.after(q.page);
        return readers_.run([&](Connection& c) {
            Statement s(c, filter.sql(kColumns));
            filter.bind(s);
            std::vector<CallLog> items;
            while (s.step()) items.push_back(read_log(s));
            return finish_page(std::move(items), q.page);
        });
    }

private:
    WriteQueue& writer_;
    ReadPool& readers_;
};
}  // namespace

std::unique_ptr<CallLogRepository> make_call_log_repository(WriteQueue& writer, ReadPool& readers) {
    return std::make_unique<SqliteCallLogRepository>(writer, readers);
}

}  // namespace va::store::sqlite
