#include "store_contract.hpp"

#include <future>
#include <set>

#include "core/id.hpp"
#include "core/time_format.hpp"

namespace va::store::test {
namespace {

const TimePoint kT0 = *core::parse_rfc3339("2026-11-25T12:00:00Z");
using std::chrono::seconds;

Prompt prompt(const std::string& name, TimePoint at) {
    return {core::new_object_id(at), name, "content of " + name, "intro of " + name, at, at};
}

ScheduledCall call_for(std::vector<std::string> numbers, TimePoint created, TimePoint due) {
    ScheduledCall c;
    c.id = core::new_object_id(created);
    c.to_phone_numbers = numbers;
    c.prompt_id = "p1";
    c.scheduled_date_time = due;
    c.content = "content";
    c.introduction = "hello";
    for (auto& n : numbers) c.recipients.push_back({n, RecipientStatus::pending, 0, "", std::nullopt, "", created});
    c.created_at = c.updated_at = created;
    return c;
}

std::vector<std::string> ids_of(const auto& page) {
    std::vector<std::string> out;
    for (const auto& item : page.items) out.push_back(item.id);
    return out;
}

TEST_P(StoreContract, PromptsRoundTripUpdateAndRemove) {
    auto p = prompt("a", kT0);
    store().prompts().create(p);
    auto got = store().prompts().get(p.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->name, "a");
    EXPECT_EQ(got->introduction, "intro of a");
    EXPECT_EQ(got->created_at, kT0);

    p.name = "b";
    p.updated_at = kT0 + seconds(1);
    auto updated = store().prompts().update(p);
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->name, "b");
    EXPECT_EQ(updated->created_at, kT0);
    EXPECT_EQ(updated->updated_at, kT0 + seconds(1));

    EXPECT_TRUE(store().prompts().remove(p.id));
    EXPECT_FALSE(store().prompts().remove(p.id));
    EXPECT_FALSE(store().prompts().get(p.id));
    p.id = "missing";
    EXPECT_FALSE(store().prompts().update(p));
}

TEST_P(StoreContract, PagesNewestFirstWithoutGapsOrRepeats) {
    std::vector<std::string> created;
    for (int i = 0; i < 7; ++i) {
        // Two prompts share each creation time, so the id breaks ties.
        auto p = prompt("p" + std::to_string(i), kT0 + seconds(i / 2));
        store().prompts().create(p);
        created.push_back(p.id);
    }
    std::vector<std::string> seen;
    PageRequest request{"", 3};
    int pages = 0;
    do {
        auto page = store().prompts().list(request);
        for (auto& id : ids_of(page)) seen.push_back(id);
        request.cursor = page.next_cursor;
        ++pages;
    } while (!request.cursor.empty() && pages < 10);
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(seen.size(), 7u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);
    EXPECT_EQ(seen.back(), std::min(created[0], created[1]));
    EXPECT_THROW(store().prompts().list({"garbage", 3}), std::invalid_argument);
}

TEST_P(StoreContract, ScheduledCallKeepsRecipientsInOrder) {
    auto c = call_for({"+14155552671", "+442071838750", "+14155552672"}, kT0, kT0 + seconds(60));
    auto outcome = store().scheduled_calls().create(c, std::nullopt);
    EXPECT_EQ(outcome.result, CreateResult::created);
    auto got = store().scheduled_calls().get(c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->to_phone_numbers, c.to_phone_numbers);
    ASSERT_EQ(got->recipients.size(), 3u);
    EXPECT_EQ(got->recipients[1].phone_number, "+442071838750");
    EXPECT_EQ(got->recipients[1].status, RecipientStatus::pending);
    EXPECT_EQ(got->status, CallStatus::pending);
    EXPECT_EQ(got->scheduled_date_time, kT0 + seconds(60));
    EXPECT_EQ(got->introduction, "hello");
    EXPECT_FALSE(store().scheduled_calls().get("missing"));
}

TEST_P(StoreContract, IdempotencyKeyReplaysOrConflicts) {
    auto first = call_for({"+14155552671"}, kT0, kT0);
    IdempotencyKey key{"k1", "hash-a"};
    EXPECT_EQ(store().scheduled_calls().create(first, key).result, CreateResult::created);
    auto second = call_for({"+14155552671"}, kT0, kT0);
    auto replay = store().scheduled_calls().create(second, key);
    EXPECT_EQ(replay.result, CreateResult::replayed);
    EXPECT_EQ(replay.call.id, first.id);
    EXPECT_EQ(store().scheduled_calls().create(second, IdempotencyKey{"k1", "hash-b"}).result,
              CreateResult::key_conflict);
    EXPECT_FALSE(store().scheduled_calls().get(second.id));
}

TEST_P(StoreContract, AnExpiredIdempotencyKeyIsForgotten) {
    auto first = call_for({"+14155552671"}, kT0, kT0);
    store().scheduled_calls().create(first, IdempotencyKey{"k", "hash-a", kT0 - seconds(10)});
    auto later = call_for({"+14155552671"}, kT0 + seconds(100), kT0 + seconds(100));
    auto outcome = store().scheduled_calls().create(later, IdempotencyKey{"k", "hash-b", kT0 + seconds(1)});
    EXPECT_EQ(outcome.result, CreateResult::created);
    EXPECT_EQ(outcome.call.id, later.id);
    EXPECT_TRUE(store().scheduled_calls().get(first.id));  // the first call itself stays
}

TEST_P(StoreContract, RacingCreatesWithOneKeyStoreOneCall) {
    std::vector<std::future<CreateOutcome>> outcomes;
    for (int i = 0; i < 8; ++i) {
        outcomes.push_back(std::async(std::launch::async, [&] {
            return store().scheduled_calls().create(call_for({"+14155552671"}, kT0, kT0), IdempotencyKey{"race", "h"});
        }));
    }
    std::set<std::string> ids;
    int created = 0;
    for (auto& f : outcomes) {
        auto o = f.get();
        created += o.result == CreateResult::created;
        ids.insert(o.call.id);
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(store().scheduled_calls().list({}).items.size(), 1u);
}

TEST_P(StoreContract, ListsScheduledCallsByStatusAndTime) {
    auto a = call_for({"+14155552671"}, kT0, kT0 + seconds(100));
    auto b = call_for({"+14155552671"}, kT0 + seconds(1), kT0 + seconds(200));
    auto c = call_for({"+14155552671"}, kT0 + seconds(2), kT0 + seconds(300));
    for (auto* x : {&a, &b, &c}) store().scheduled_calls().create(*x, std::nullopt);
    store().scheduled_calls().cancel(b.id, kT0 + seconds(3));

    EXPECT_EQ(ids_of(store().scheduled_calls().list({})), (std::vector<std::string>{c.id, b.id, a.id}));
    ScheduledCallQuery pending;
    pending.status = CallStatus::pending;
    EXPECT_EQ(ids_of(store().scheduled_calls().list(pending)), (std::vector<std::string>{c.id, a.id}));
    ScheduledCallQuery window;
    window.scheduled_from = kT0 + seconds(200);
    window.scheduled_to = kT0 + seconds(300);
    EXPECT_EQ(ids_of(store().scheduled_calls().list(window)), (std::vector<std::string>{b.id}));
    ScheduledCallQuery paged;
    paged.page.limit = 2;
    auto page = store().scheduled_calls().list(paged);
    EXPECT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].recipients.size(), 1u);
    paged.page.cursor = page.next_cursor;
    EXPECT_EQ(ids_of(store().scheduled_calls().list(paged)), (std::vector<std::string>{a.id}));
}

TEST_P(StoreContract, CancelIsIdempotentAndOnlyForUnfinishedCalls) {
    auto c = call_for({"+14155552671", "+14155552672"}, kT0, kT0);
    store().scheduled_calls().create(c, std::nullopt);
    auto canceled = store().scheduled_calls().cancel(c.id, kT0 + seconds(5));
    ASSERT_EQ(canceled.result, ChangeResult::changed);
    EXPECT_EQ(canceled.call->status, CallStatus::canceled);
    for (const auto& r : canceled.call->recipients) {
        EXPECT_EQ(r.status, RecipientStatus::canceled);
        EXPECT_EQ(r.updated_at, kT0 + seconds(5));
    }
    EXPECT_EQ(store().scheduled_calls().cancel(c.id, kT0 + seconds(6)).result, ChangeResult::changed);
    EXPECT_EQ(store().scheduled_calls().cancel("missing", kT0).result, ChangeResult::not_found);
}

TEST_P(StoreContract, UpdatePendingReschedulesAndReplacesRecipients) {
    auto c = call_for({"+14155552671", "+14155552672"}, kT0, kT0 + seconds(60));
    store().scheduled_calls().create(c, std::nullopt);
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + seconds(120);
    patch.to_phone_numbers = std::vector<std::string>{"+442071838750"};
    auto outcome = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(1));
    ASSERT_EQ(outcome.result, ChangeResult::changed);
    auto got = store().scheduled_calls().get(c.id);
    EXPECT_EQ(got->scheduled_date_time, kT0 + seconds(120));
    EXPECT_EQ(got->to_phone_numbers, std::vector<std::string>{"+442071838750"});
    ASSERT_EQ(got->recipients.size(), 1u);
    EXPECT_EQ(got->recipients[0].phone_number, "+442071838750");
    EXPECT_EQ(got->updated_at, kT0 + seconds(1));

    store().scheduled_calls().cancel(c.id, kT0 + seconds(2));
    auto refused = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(3));
    EXPECT_EQ(refused.result, ChangeResult::wrong_state);
    EXPECT_EQ(refused.call->status, CallStatus::canceled);
    EXPECT_EQ(store().scheduled_calls().update_pending("missing", patch, kT0).result, ChangeResult::not_found);
}

TEST_P(StoreContract, CallLogsRoundTripWithTranscriptAndFilter) {
    CallLog log;
    log.id = core::new_object_id(kT0);
    log.scheduled_call_id = "call-1";
    log.to = "+14155552671";
    log.from = "+15005550006";
    log.call_sid = "CA00000000000000000000000000000001";
    log.status = "completed";
    log.answered_by = "human";
    log.started_at = kT0;
    log.ended_at = kT0 + seconds(30);
    log.duration = 30;
    log.transcript = {{"agent", "Hello \"there\"", kT0, kT0 + seconds(1), false},
                      {"callee", "Hi", kT0 + seconds(2), kT0 + seconds(3), true}};
    log.created_at = log.updated_at = kT0;
    store().call_logs().create(log);

    auto got = store().call_logs().get(log.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->call_sid, log.call_sid);
    EXPECT_EQ(got->answered_by, "human");
    EXPECT_EQ(got->started_at, kT0);
    EXPECT_FALSE(got->answered_at);
    EXPECT_EQ(got->duration, 30);
    ASSERT_EQ(got->transcript.size(), 2u);
    EXPECT_EQ(got->transcript[0].text, "Hello \"there\"");
    EXPECT_TRUE(got->transcript[1].interrupted);
    EXPECT_EQ(got->transcript[1].ended_at, kT0 + seconds(3));

    CallLogQuery q;
    q.scheduled_call_id = "call-1";
    EXPECT_EQ(store().call_logs().list(q).items.size(), 1u);
    q.scheduled_call_id = "call-2";
    EXPECT_TRUE(store().call_logs().list(q).items.empty());
    CallLogQuery by_number;
    by_number.phone_number = "+14155552671";
    by_number.status = "completed";
    EXPECT_EQ(store().call_logs().list(by_number).items.size(), 1u);
    EXPECT_FALSE(store().call_logs().get("missing"));
}

TEST_P(StoreContract, AnswersPing) { EXPECT_TRUE(store().ping()); }

}  // namespace
}  // namespace va::store::test
