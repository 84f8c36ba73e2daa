#include "api/json_output.hpp"

#include <array>

#include "core/time_format.hpp"
#include "store/conversation_json.hpp"
#include "store/settings_json.hpp"

namespace va::api {

namespace json = boost::json;

namespace {
json::value time_or_null(const std::optional<core::TimePoint>& t) {
    return t ? json::value(core::format_rfc3339(*t)) : json::value(nullptr);
}

json::value string_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// Why a pending recipient waits for nextAttemptAt; null otherwise (the store keeps none then).
json::value deferred_reason(const store::Recipient& r) {
    if (r.status != store::RecipientStatus::pending) return nullptr;
    return string_or_null(std::string(store::to_string(r.deferred_reason)));
}

json::value to_json(const store::Recipient& r) {
    return {{"phoneNumber", r.phone_number},
            {"status", store::to_string(r.status)},
            {"attempt", r.attempt},
            {"callSid", string_or_null(r.call_sid)},
            {"errorCode", r.error_code ? json::value(*r.error_code) : json::value(nullptr)},
            {"errorMessage", string_or_null(r.error_message)},
            {"dialedAt", time_or_null(r.dialed_at)},
            {"nextAttemptAt", time_or_null(r.next_attempt_at)},
            {"deferredReason", deferred_reason(r)},
            {"variables", store::variables_to_json(r.variables)},
            {"updatedAt", core::format_rfc3339(r.updated_at)}};
}

json::value to_json(const std::optional<store::CallingWindow>& w) {
    if (!w) return nullptr;
    json::object zones;
    for (const auto& [number, zone] : w->time_zones) zones[number] = zone;
    return {{"start", core::format_time_of_day(w->start_minute)},
            {"end", core::format_time_of_day(w->end_minute)},
            {"timeZone", string_or_null(w->time_zone)},
            {"recipientTimeZones", std::move(zones)}};
}

json::value optional_ms(const std::optional<std::int64_t>& ms) { return ms ? json::value(*ms) : json::value(nullptr); }

json::value to_json(const store::TranscriptTurn& t) {
    json::object turn{{"role", t.role},
                      {"text", t.text},
                      {"startedAt", core::format_rfc3339(t.started_at)},
                      {"endedAt", core::format_rfc3339(t.ended_at)},
                      {"interrupted", t.interrupted},
                      {"backchannel", t.backchannel}};
    if (t.latency) {
        turn["latency"] = {{"sttFinalMs", optional_ms(t.latency->stt_final_ms)},
                           {"llmFirstTokenMs", optional_ms(t.latency->llm_first_token_ms)},
                           {"ttsFirstAudioMs", optional_ms(t.latency->tts_first_audio_ms)},
                           {"voiceToVoiceMs", optional_ms(t.latency->voice_to_voice_ms)}};
    }
    return turn;
}
}  // namespace

json::value to_json(const store::Prompt& p) {
    return {{"id", p.id},
            {"name", p.name},
            {"content", p.content},
            {"introduction", p.introduction},
            {"conversation", store::conversation_to_json(p.conversation)},
            {"createdAt", core::format_rfc3339(p.created_at)},
            {"updatedAt", core::format_rfc3339(p.updated_at)}};
}

namespace {
// How many recipients are in each status, every status named (zeros too), so that a table of calls
// needs no arithmetic of its own. From the recipients the answer carries anyway.
json::object counts_of(const store::ScheduledCall& c) {
    constexpr auto kLast = static_cast<int>(store::RecipientStatus::unknown);
    std::array<std::int64_t, kLast + 1> counts{};
    for (const auto& r : c.recipients) ++counts[static_cast<std::size_t>(r.status)];
    json::object out;
    for (int s = 0; s <= kLast; ++s) {
        out[store::to_string(static_cast<store::RecipientStatus>(s))] = counts[static_cast<std::size_t>(s)];
    }
    return out;
}
}  // namespace

json::value to_json(const store::ScheduledCall& c) {
    json::array numbers(c.to_phone_numbers.begin(), c.to_phone_numbers.end());
    json::array recipients;
    for (const auto& r : c.recipients) recipients.push_back(to_json(r));
    return {{"id", c.id},
            {"toPhoneNumbers", std::move(numbers)},
            {"promptId", c.prompt_id},
            {"scheduledDateTime", core::format_rfc3339(c.scheduled_date_time)},
            {"status", store::to_string(c.status)},
            {"content", c.content},
            {"introduction", c.introduction},
            {"conversation", store::conversation_to_json(c.conversation)},
            {"recipients", std::move(recipients)},
            {"counts", counts_of(c)},
            {"retry", c.retry ? json::value{{"maxAttempts", c.retry->max_attempts},
                                            {"delaySeconds", c.retry->delay.count()}}
                              : json::value(nullptr)},
            {"callWindow", to_json(c.call_window)},
            {"createdAt", core::format_rfc3339(c.created_at)},
            {"updatedAt", core::format_rfc3339(c.updated_at)}};
}

json::value to_json(const store::CallLog& l) {
    json::array transcript;
    for (const auto& t : l.transcript) transcript.push_back(to_json(t));
    return {{"id", l.id},
            {"scheduledCallId", string_or_null(l.scheduled_call_id)},
            {"to", l.to},
            {"from", l.from},
            {"callSid", string_or_null(l.call_sid)},
            {"streamSid", string_or_null(l.stream_sid)},
            {"status", l.status},
            {"answeredBy", string_or_null(l.answered_by)},
            {"attemptId", string_or_null(l.attempt_id)},
            {"startedAt", time_or_null(l.started_at)},
            {"answeredAt", time_or_null(l.answered_at)},
            {"endedAt", time_or_null(l.ended_at)},
            {"duration", l.duration ? json::value(*l.duration) : json::value(nullptr)},
            {"streamStartedAt", time_or_null(l.stream_started_at)},
            {"streamEndedAt", time_or_null(l.stream_ended_at)},
            {"streamDurationMs", l.stream_duration_ms ? json::value(*l.stream_duration_ms) : json::value(nullptr)},
            {"transcript", std::move(transcript)},
            {"content", string_or_null(l.content)},
            {"introduction", string_or_null(l.introduction)},
            {"engines", l.engines.llm.empty() && l.engines.stt.empty() && l.engines.tts.empty()
                            ? json::value(nullptr)
                            : json::value{{"llm", l.engines.llm}, {"stt", l.engines.stt}, {"tts", l.engines.tts}}},
            {"createdAt", core::format_rfc3339(l.created_at)},
            {"updatedAt", core::format_rfc3339(l.updated_at)}};
}

}  // namespace va::api

#include <boost/json/serialize.hpp>

namespace va::api {
net::Response json_response(unsigned status, const boost::json::value& body) {
    net::Response response;
    response.status = status;
    response.body = boost::json::serialize(body);
    return response;
}
}  // namespace va::api
