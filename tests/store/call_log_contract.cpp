// The store contract for call logs: every field and the transcript round-trip; filters and pages.
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
    log.updated_at = kT0 + seconds(31);
    log.transcript = {{"agent", "Hello \"there\"\n¿qué tal? 🙂", kT0, kT0 + seconds(1), false},
                      {"callee", "", kT0 + seconds(2), kT0 + seconds(3), true}};
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
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(got->updated_at, kT0 + seconds(31));
    ASSERT_EQ(got->transcript.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(got->transcript[i].role, log.transcript[i].role);
        EXPECT_EQ(got->transcript[i].text, log.transcript[i].text);
        EXPECT_EQ(got->transcript[i].started_at, log.transcript[i].started_at);
        EXPECT_EQ(got->transcript[i].ended_at, log.transcript[i].ended_at);
        EXPECT_EQ(got->transcript[i].interrupted, log.transcript[i].interrupted);
    }
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
    EXPECT_TRUE(got->transcript.empty());
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
        for (const auto& page : all_pages([&](const std::string& cursor) {
                 q.page.cursor = cursor;
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
