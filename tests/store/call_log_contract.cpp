// The store contract for call logs: every field and the transcript round-trip; filters and pages.
#include <tuple>

#include "store_contract.hpp"

namespace va::store::test {
namespace {

using std::chrono::seconds;

TEST_P(StoreContract, CallLogRoundTripsEveryFieldAndTheTranscript) {
    auto log = make_log("call-1", "+14155552671", "completed", kT0);
    log.call_sid = "CA00000000000000000000000000000001";
    log.stream_sid = "MZ00000000000000000000000000000001";
    log.answered_by = "human";
    log.started_at = kT0;
    log.answered_at = kT0 + seconds(4);
    log.ended_at = kT0 + seconds(30);
    log.duration = 26;
    log.stream_started_at = kT0 + seconds(5);
    log.stream_ended_at = kT0 + seconds(29);
    log.stream_duration_ms = 24'000;
    log.updated_at = kT0 + seconds(31);
    log.transcript = {{"agent", "Hello \"there\"\n¿qué tal? 🙂", kT0, kT0 + seconds(1), false, std::nullopt},
                      {"callee", "", kT0 + seconds(2), kT0 + seconds(3), true, std::nullopt},
                      {"callee", "uh-huh", kT0 + seconds(3), kT0 + seconds(4), false, std::nullopt, /*backchannel=*/true},
                      {"agent", "Monday.", kT0 + seconds(4), kT0 + seconds(5), false, TurnLatency{610, 640, std::nullopt, 900}}};
    store().call_logs().create(log);

    auto got = store().call_logs().get(log.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->scheduled_call_id, "call-1");
    EXPECT_EQ(got->to, "+14155552671");
    EXPECT_EQ(got->from, "+15005550006");
    EXPECT_EQ(got->call_sid, log.call_sid);
    EXPECT_EQ(got->stream_sid, log.stream_sid);
    EXPECT_EQ(got->status, "completed");
    EXPECT_EQ(got->answered_by, "human");
    EXPECT_EQ(got->started_at, kT0);
    EXPECT_EQ(got->answered_at, kT0 + seconds(4));
    EXPECT_EQ(got->ended_at, kT0 + seconds(30));
    EXPECT_EQ(got->duration, 26);
    EXPECT_EQ(got->stream_started_at, kT0 + seconds(5));
    EXPECT_EQ(got->stream_ended_at, kT0 + seconds(29));
    EXPECT_EQ(got->stream_duration_ms, 24'000);
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(got->updated_at, kT0 + seconds(31));
    EXPECT_EQ(got->transcript, log.transcript);
}

TEST_P(StoreContract, CallLogLeavesUnsetTimesUnset) {
    auto log = make_log("call-1", "+14155552671", "initiated", kT0);
    store().call_logs().create(log);
    auto got = store().call_logs().get(log.id);
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->started_at);
    EXPECT_FALSE(got->answered_at);
    EXPECT_FALSE(got->ended_at);
    EXPECT_FALSE(got->duration);
    EXPECT_FALSE(got->stream_started_at);
    EXPECT_FALSE(got->stream_ended_at);
    EXPECT_FALSE(got->stream_duration_ms);
    EXPECT_TRUE(got->transcript.empty());
    EXPECT_EQ(got->engines, ConversationEngines{});
}

StreamStart stream_of(const std::string& attempt_id, const std::string& log_id, const std::string& stream_sid,
                      TimePoint at) {
    return {attempt_id, log_id, "call-1", "+14155552671", "+15005550006", kSid1, stream_sid, at};
}

TEST_P(StoreContract, AStreamAttachesToItsAttemptsLogOnceAndEndsOnce) {
    auto log = make_log("call-1", "+14155552671", "ringing", kT0);
    log.attempt_id = "call-1-0-1";
    store().call_logs().create(log);
    auto& logs = store().call_logs();
    EXPECT_TRUE(logs.record_stream_start(stream_of("call-1-0-1", "unused", "MZ1", kT0 + seconds(5))));
    EXPECT_FALSE(logs.record_stream_start(stream_of("call-1-0-1", "unused", "MZ2", kT0 + seconds(6))))
        << "a second stream for the same attempt is a replayed token";
    EXPECT_FALSE(logs.record_stream_end("MZ2", kT0 + seconds(7)));
    EXPECT_TRUE(logs.record_stream_end("MZ1", kT0 + seconds(9)));
    EXPECT_FALSE(logs.record_stream_end("MZ1", kT0 + seconds(10))) << "the first end sticks";

    auto got = logs.get(log.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->stream_sid, "MZ1");
    EXPECT_EQ(got->call_sid, kSid1);
    EXPECT_EQ(got->status, "ringing") << "the status comes from Twilio's callbacks, not from the stream";
    EXPECT_EQ(got->stream_started_at, kT0 + seconds(5));
    EXPECT_EQ(got->stream_ended_at, kT0 + seconds(9));
    EXPECT_EQ(got->stream_duration_ms, 4000);
}

TEST_P(StoreContract, AVoiceWebhookAnswersEachCallSidOnce) {
    auto& logs = store().call_logs();
    EXPECT_TRUE(logs.record_answer("CA1", kT0));
    EXPECT_FALSE(logs.record_answer("CA1", kT0 + seconds(1))) << "a second answer for the same call";
    EXPECT_TRUE(logs.record_answer("CA2", kT0 + seconds(1)));
}

TEST_P(StoreContract, AConversationReplacesTheTranscriptOfItsStream) {
    auto log = make_log("call-1", "+14155552671", "in-progress", kT0);
    log.attempt_id = "call-1-0-1";
    store().call_logs().create(log);
    auto& logs = store().call_logs();
    const ConversationEngines engines{"scripted", "pocketsphinx:en-us", "espeak:en-us"};
    std::vector<TranscriptTurn> turns{{"agent", "Hello.", kT0, kT0 + seconds(1), false, std::nullopt}};
    EXPECT_FALSE(logs.record_conversation("MZ1", turns, engines, kT0)) << "no stream attached yet";
    ASSERT_TRUE(logs.record_stream_start(stream_of("call-1-0-1", "unused", "MZ1", kT0)));
    EXPECT_TRUE(logs.record_conversation("MZ1", turns, engines, kT0 + seconds(1)));
    turns.push_back({"callee", "yes", kT0 + seconds(2), kT0 + seconds(3), false, std::nullopt});
    EXPECT_TRUE(logs.record_conversation("MZ1", turns, engines, kT0 + seconds(3)));
    EXPECT_FALSE(logs.record_conversation("MZ2", turns, engines, kT0 + seconds(3)));

    auto got = logs.get(log.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->transcript, turns);
    EXPECT_EQ(got->engines, engines);
    EXPECT_EQ(got->updated_at, kT0 + seconds(3));
    EXPECT_EQ(got->status, "in-progress") << "the status stays Twilio's";
}

TEST_P(StoreContract, AStreamCreatesItsAttemptsLogWhenTheDispatcherHasNotYet) {
    auto& logs = store().call_logs();
    const auto id = test_id();
    EXPECT_TRUE(logs.record_stream_start(stream_of("call-1-2-1", id, "MZ1", kT0)));
    EXPECT_FALSE(logs.record_stream_start(stream_of("call-1-2-1", test_id(), "MZ2", kT0)));
    auto got = logs.get(id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->attempt_id, "call-1-2-1");
    EXPECT_EQ(got->scheduled_call_id, "call-1");
    EXPECT_EQ(got->to, "+14155552671");
    EXPECT_EQ(got->stream_sid, "MZ1");
    EXPECT_EQ(got->status, "in-progress");
}

TEST_P(StoreContract, AStreamsLogKeepsThePromptAndGreetingTheAgentUsed) {
    auto& logs = store().call_logs();
    auto log = make_log("call-1", "+14155552671", "ringing", kT0);
    log.attempt_id = "call-1-0-1";
    logs.create(log);
    auto start = stream_of("call-1-0-1", "unused", "MZ1", kT0);
    start.content = "Remind Maria.\n\n<recipient_data>...</recipient_data>";
    start.introduction = "Hello Maria!";
    ASSERT_TRUE(logs.record_stream_start(start));
    const auto created_id = test_id();
    auto fast = stream_of("call-1-1-1", created_id, "MZ2", kT0);
    fast.content = "Remind Ken.";
    fast.introduction = "Hello Ken!";
    ASSERT_TRUE(logs.record_stream_start(fast)) << "the stream creates the log";
    for (const auto& [id, content, introduction] :
         {std::tuple{log.id, start.content, start.introduction}, std::tuple{created_id, fast.content, fast.introduction}}) {
        auto got = logs.get(id);
        ASSERT_TRUE(got);
        EXPECT_EQ(got->content, content);
        EXPECT_EQ(got->introduction, introduction);
    }
}

TEST_P(StoreContract, AnInboundStreamNeedsTheLogItsWebhookCreated) {
    auto& logs = store().call_logs();
    EXPECT_FALSE(logs.record_stream_start(stream_of("", test_id(), "MZ1", kT0)));
    auto log = make_log("", "+15005550006", "in-progress", kT0);
    store().call_logs().create(log);
    EXPECT_TRUE(logs.record_stream_start(stream_of("", log.id, "MZ1", kT0)));
    EXPECT_FALSE(logs.record_stream_start(stream_of("", log.id, "MZ2", kT0)));
    EXPECT_EQ(logs.get(log.id)->stream_sid, "MZ1");
}

TEST_P(StoreContract, CallLogsFilterByCallNumberAndStatusAcrossPages) {
    // 12 logs: calls a/b alternate, numbers cycle over 3, every fourth is busy.
    const std::string numbers[] = {"+14155552671", "+14155552672", "+14155552673"};
    std::vector<CallLog> logs;
    for (int i = 0; i < 12; ++i) {
        logs.push_back(make_log(i % 2 ? "call-b" : "call-a", numbers[i % 3], i % 4 == 0 ? "busy" : "completed",
                                kT0 + seconds(i)));
        store().call_logs().create(logs.back());
    }
    auto expect = [&](const CallLogQuery& base, auto keep) {
        std::vector<std::string> wanted;
        for (auto it = logs.rbegin(); it != logs.rend(); ++it) {
            if (keep(*it)) wanted.push_back(it->id);
        }
        CallLogQuery q = base;
        q.page.limit = 2;
        std::vector<std::string> seen;
        for (const auto& page : all_pages([&](const std::optional<Cursor>& cursor) {
                 q.page.after = cursor;
                 return store().call_logs().list(q);
             })) {
            EXPECT_LE(page.items.size(), 2u);
            for (const auto& id : ids_of(page)) seen.push_back(id);
        }
        EXPECT_EQ(seen, wanted);
    };
    CallLogQuery by_call;
    by_call.scheduled_call_id = "call-b";
    expect(by_call, [](const CallLog& l) { return l.scheduled_call_id == "call-b"; });
    CallLogQuery by_number;
    by_number.phone_number = numbers[1];
    expect(by_number, [&](const CallLog& l) { return l.to == numbers[1]; });
    CallLogQuery by_status;
    by_status.status = "busy";
    expect(by_status, [](const CallLog& l) { return l.status == "busy"; });
    CallLogQuery all_three;
    all_three.scheduled_call_id = "call-a";
    all_three.phone_number = numbers[0];
    all_three.status = "completed";
    expect(all_three, [&](const CallLog& l) {
        return l.scheduled_call_id == "call-a" && l.to == numbers[0] && l.status == "completed";
    });
    CallLogQuery none;
    none.scheduled_call_id = "call-c";
    expect(none, [](const CallLog&) { return false; });
    expect(CallLogQuery{}, [](const CallLog&) { return true; });
}

}  // namespace
}  // namespace va::store::test
