// The store contract for --retention-days: finished calls and their logs lose their transcripts,
// their recipients' variables, the prompts rendered with them, and all but the last 4 digits of
// their numbers, once; the cooldown's history stays.
#include "store_contract.hpp"

namespace va::store::test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr auto kDay = hours(24);

PurgeRequest purge(TimePoint before, TimePoint cooldown_since, TimePoint now, std::size_t batch = 500) {
    PurgeRequest request;
    request.before = before;
    request.cooldown_since = cooldown_since;
    request.now = now;
    request.batch = batch;
    return request;
}

std::vector<TranscriptTurn> one_turn(TimePoint at) {
    TranscriptTurn turn;
    turn.role = "agent";
    turn.text = "Hello Maria, about Tuesday.";
    turn.started_at = turn.ended_at = at;
    return {turn};
}

TEST_P(DispatchContract, RetentionPurgesFinishedCallsOnceAndKeepsTheCooldownsHistory) {
    auto done = schedule({"+14155550001"}, kT0, {}, {{"name", "Maria"}});
    auto claimed = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(claimed, placed(kSid1, kT0 + seconds(90)), kT0));
    ASSERT_TRUE(store().call_logs().record_stream_start({to_string(claimed.key), test_id(), done, "", "", kSid1,
                                                         "MZ00000000000000000000000000000001", kT0 + seconds(2),
                                                         "Remind Maria.", "Hello Maria."}));
    ASSERT_TRUE(store().call_logs().record_conversation("MZ00000000000000000000000000000001",
                                                        one_turn(kT0), {},
                                                        kT0 + seconds(3)));
    ASSERT_EQ(dispatch().apply_status(event(claimed, kSid1, RecipientStatus::completed, kT0 + seconds(10)), no_retry_,
                                      kT0 + seconds(10)),
              StatusResult::applied);
    ASSERT_EQ(call_status(done), CallStatus::completed);
    auto waiting = schedule({"+14155550002"}, kT0 + 400 * kDay);  // not finished: never purged

    const auto later = kT0 + 40 * kDay;
    // Nothing is older than the cut-off yet.
    EXPECT_EQ(store().purge_finished(purge(kT0, kT0, later)), (PurgeResult{0, 0}));
    // The number was dialed inside the cooldown: the call keeps it; its log is purged.
    EXPECT_EQ(store().purge_finished(purge(later, kT0, later)), (PurgeResult{0, 1}));
    EXPECT_EQ(recipient(done).phone_number, "+14155550001");

    EXPECT_EQ(store().purge_finished(purge(later, later - kDay, later)), (PurgeResult{1, 0}));
    auto call = store().scheduled_calls().get(done);
    EXPECT_EQ(call->to_phone_numbers, std::vector<std::string>{"********0001"});
    EXPECT_EQ(call->recipients.at(0).phone_number, "********0001");
    EXPECT_EQ(call->recipients.at(0).status, RecipientStatus::completed) << "the outcome stays";
    EXPECT_TRUE(call->recipients.at(0).variables.empty());
    auto log = logs(done).at(0);
    EXPECT_TRUE(log.transcript.empty());
    EXPECT_EQ(log.content, "");
    EXPECT_EQ(log.introduction, "");
    EXPECT_EQ(log.to, "********0001");
    EXPECT_EQ(log.from, "********0006");
    EXPECT_EQ(log.status, "completed");
    EXPECT_EQ(log.call_sid, kSid1);

    EXPECT_EQ(store().purge_finished(purge(later, later - kDay, later)), (PurgeResult{0, 0})) << "each record once";
    EXPECT_EQ(recipient(waiting).phone_number, "+14155550002");
}

TEST_P(DispatchContract, RetentionWorksInBatches) {
    for (int i = 0; i < 5; ++i) {
        auto id = store().scheduled_calls().create(make_call({"+1415555000" + std::to_string(i)}, kT0, kT0), std::nullopt);
        store().scheduled_calls().cancel(id.call.id, kT0);
    }
    EXPECT_EQ(store().purge_finished(purge(kT0 + kDay, kT0 + kDay, kT0 + kDay, 2)), (PurgeResult{5, 0}));
}

}  // namespace
}  // namespace va::store::test
