// The store contract for scheduled calls: creation with recipients and idempotency keys, listing
// with filters, cancel and update_pending in every state.
#include <future>
#include <set>

#include "store_contract.hpp"

namespace va::store::test {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kTwo{"+14155552671", "+14155552672"};

TEST_P(StoreContract, ScheduledCallKeepsEveryFieldAndRecipientsInOrder) {
    auto c = make_call({"+14155552671", "+442071838750", "+14155552672"}, kT0, kT0 + seconds(60));
    c.content = "Be brief.\nSay \"hi\" — ünïcødé";
    auto outcome = store().scheduled_calls().create(c, std::nullopt);
    EXPECT_EQ(outcome.result, CreateResult::created);
    EXPECT_EQ(outcome.call.id, c.id);
    auto got = store().scheduled_calls().get(c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->to_phone_numbers, c.to_phone_numbers);
    EXPECT_EQ(got->prompt_id, "p1");
    EXPECT_EQ(got->scheduled_date_time, kT0 + seconds(60));
    EXPECT_EQ(got->status, CallStatus::pending);
    EXPECT_EQ(got->content, c.content);
    EXPECT_EQ(got->introduction, "hello");
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(got->updated_at, kT0);
    ASSERT_EQ(got->recipients.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& r = got->recipients[i];
        EXPECT_EQ(r.phone_number, c.to_phone_numbers[i]);
        EXPECT_EQ(r.status, RecipientStatus::pending);
        EXPECT_EQ(r.attempt, 0);
        EXPECT_EQ(r.call_sid, "");
        EXPECT_FALSE(r.error_code);
        EXPECT_EQ(r.updated_at, kT0);
    }
}

TEST_P(StoreContract, EachRecipientKeepsItsVariables) {
    auto c = make_call(kTwo, kT0, kT0);
    c.recipients[0].variables = {{"name", "Maria"}, {"note", "Line one\nline \"two\" — ü"}};
    store().scheduled_calls().create(c, std::nullopt);
    auto got = store().scheduled_calls().get(c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->recipients[0].variables, c.recipients[0].variables);
    EXPECT_TRUE(got->recipients[1].variables.empty());
    auto listed = store().scheduled_calls().list({});
    ASSERT_EQ(listed.items.size(), 1u);
    EXPECT_EQ(listed.items[0].recipients[0].variables, c.recipients[0].variables);
}

TEST_P(StoreContract, ANewListOfRecipientsKeepsTheVariablesOfNumbersStillOnIt) {
    auto c = make_call(kTwo, kT0, kT0 + seconds(60));
    c.recipients[0].variables = {{"name", "Maria"}};
    c.recipients[1].variables = {{"name", "Ken"}};
    store().scheduled_calls().create(c, std::nullopt);
    ScheduledCallPatch patch;
    patch.to_phone_numbers = std::vector<std::string>{"+442071838750", kTwo[1]};
    ASSERT_EQ(store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(1)).result, ChangeResult::changed);
    auto got = store().scheduled_calls().get(c.id);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->recipients.size(), 2u);
    EXPECT_TRUE(got->recipients[0].variables.empty()) << "a new number has none";
    EXPECT_EQ(got->recipients[1].variables, (core::Variables{{"name", "Ken"}}));
}

TEST_P(StoreContract, IdempotencyKeyReplaysTheOriginalCall) {
    auto first = make_call(kTwo, kT0, kT0);
    IdempotencyKey key{"k1", "hash-a", {}};
    EXPECT_EQ(store().scheduled_calls().create(first, key).result, CreateResult::created);
    auto retry = make_call({"+14155552673"}, kT0 + seconds(1), kT0 + seconds(1));  // another id
    auto replay = store().scheduled_calls().create(retry, key);
    EXPECT_EQ(replay.result, CreateResult::replayed);
    EXPECT_EQ(replay.call.id, first.id);
    EXPECT_EQ(replay.call.to_phone_numbers, kTwo);
    EXPECT_EQ(replay.call.recipients.size(), 2u);
    EXPECT_EQ(replay.call.created_at, kT0);
    EXPECT_FALSE(store().scheduled_calls().get(retry.id));
}

TEST_P(StoreContract, IdempotencyKeyWithAnotherRequestConflictsAndStoresNothing) {
    store().scheduled_calls().create(make_call(kTwo, kT0, kT0), IdempotencyKey{"t1", "k1", "hash-a", {}});
    auto other = make_call(kTwo, kT0, kT0);
    auto outcome = store().scheduled_calls().create(other, IdempotencyKey{"t1", "k1", "hash-b", {}});
    EXPECT_EQ(outcome.result, CreateResult::key_conflict);
    EXPECT_FALSE(store().scheduled_calls().get(other.id));
    EXPECT_EQ(store().scheduled_calls().list({}).items.size(), 1u);
    // Another key is another request.
    EXPECT_EQ(store().scheduled_calls().create(other, IdempotencyKey{"t1", "k2", "hash-b", {}}).result,
              CreateResult::created);
}

TEST_P(StoreContract, AnExpiredIdempotencyKeyIsForgotten) {
    auto first = make_call(kTwo, kT0, kT0);
    store().scheduled_calls().create(first, IdempotencyKey{"t1", "k", "hash-a", kT0 - seconds(10)});
    auto later = make_call(kTwo, kT0 + seconds(100), kT0 + seconds(100));
    auto outcome = store().scheduled_calls().create(later, IdempotencyKey{"t1", "k", "hash-b", kT0 + seconds(1)});
    EXPECT_EQ(outcome.result, CreateResult::created);
    EXPECT_EQ(outcome.call.id, later.id);
    EXPECT_TRUE(store().scheduled_calls().get(first.id));  // the first call itself stays
    auto again = store().scheduled_calls().create(make_call(kTwo, kT0, kT0), IdempotencyKey{"t1", "k", "hash-b", kT0});
    EXPECT_EQ(again.result, CreateResult::replayed);
    EXPECT_EQ(again.call.id, later.id);
}

TEST_P(StoreContract, AnIdempotencyKeyIsItsOwners) {
    auto first = make_call(kTwo, kT0, kT0);
    auto second = make_call(kTwo, kT0, kT0);
    EXPECT_EQ(store().scheduled_calls().create(first, IdempotencyKey{"t1", "k", "hash-a", {}}).result,
              CreateResult::created);
    EXPECT_EQ(store().scheduled_calls().create(second, IdempotencyKey{"t2", "k", "hash-b", {}}).result,
              CreateResult::created)
        << "another token's key of the same name is neither a replay nor a conflict";
    auto replay = store().scheduled_calls().create(make_call(kTwo, kT0, kT0), IdempotencyKey{"t2", "k", "hash-b", {}});
    EXPECT_EQ(replay.result, CreateResult::replayed);
    EXPECT_EQ(replay.call.id, second.id);
}

TEST_P(StoreContract, TheSweepForgetsIdempotencyKeysStoredBeforeItsTime) {
    auto first = make_call(kTwo, kT0, kT0);
    store().scheduled_calls().create(first, IdempotencyKey{"t1", "k", "hash-a", {}});
    EXPECT_EQ(store().scheduled_calls().forget_idempotency_keys(kT0), 0u) << "stored at kT0, not before";
    EXPECT_EQ(store().scheduled_calls().forget_idempotency_keys(kT0 + seconds(1)), 1u);
    auto again = store().scheduled_calls().create(make_call(kTwo, kT0, kT0), IdempotencyKey{"t1", "k", "hash-b", {}});
    EXPECT_EQ(again.result, CreateResult::created) << "forgotten: the key may be used afresh";
    EXPECT_TRUE(store().scheduled_calls().get(first.id)) << "the call itself stays";
}

TEST_P(StoreContract, RacingCreatesWithOneKeyStoreOneCall) {
    std::vector<std::future<CreateOutcome>> outcomes;
    for (int i = 0; i < 8; ++i) {
        auto call = make_call(kTwo, kT0, kT0);  // each racer has its own id
        outcomes.push_back(std::async(std::launch::async, [this, call] {
            return store().scheduled_calls().create(call, IdempotencyKey{"t1", "race", "h", {}});
        }));
    }
    std::set<std::string> ids;
    int created = 0;
    for (auto& f : outcomes) {
        auto o = f.get();
        created += o.result == CreateResult::created;
        EXPECT_NE(o.result, CreateResult::key_conflict);
        ids.insert(o.call.id);
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(ids.size(), 1u);
    auto listed = store().scheduled_calls().list({});
    ASSERT_EQ(listed.items.size(), 1u);
    EXPECT_EQ(listed.items[0].recipients.size(), 2u);
}

TEST_P(StoreContract, ListsScheduledCallsByStatusAndTime) {
    auto a = make_call({"+14155552671"}, kT0, kT0 + seconds(100));
    auto b = make_call({"+14155552671"}, kT0 + seconds(1), kT0 + seconds(200));
    auto c = make_call({"+14155552671"}, kT0 + seconds(2), kT0 + seconds(300));
    for (auto* x : {&a, &b, &c}) store().scheduled_calls().create(*x, std::nullopt);
    store().scheduled_calls().cancel(b.id, kT0 + seconds(3));

    EXPECT_EQ(ids_of(store().scheduled_calls().list({})), (std::vector<std::string>{c.id, b.id, a.id}));
    ScheduledCallQuery pending;
    pending.status = CallStatus::pending;
    EXPECT_EQ(ids_of(store().scheduled_calls().list(pending)), (std::vector<std::string>{c.id, a.id}));
    ScheduledCallQuery window;  // [from, to): 300 is out
    window.scheduled_from = kT0 + seconds(200);
    window.scheduled_to = kT0 + seconds(300);
    EXPECT_EQ(ids_of(store().scheduled_calls().list(window)), (std::vector<std::string>{b.id}));
    window.status = CallStatus::pending;
    EXPECT_TRUE(store().scheduled_calls().list(window).items.empty());
    ScheduledCallQuery from_only;
    from_only.scheduled_from = kT0 + seconds(200);
    EXPECT_EQ(ids_of(store().scheduled_calls().list(from_only)), (std::vector<std::string>{c.id, b.id}));
}

TEST_P(StoreContract, PagesThroughFilteredScheduledCalls) {
    std::vector<std::string> pending_newest_first;
    for (int i = 0; i < 9; ++i) {
        auto c = make_call(kTwo, kT0 + seconds(i), kT0 + seconds(1000 + i));
        store().scheduled_calls().create(c, std::nullopt);
        if (i % 3 == 0) {
            store().scheduled_calls().cancel(c.id, kT0 + seconds(i));
        } else {
            pending_newest_first.insert(pending_newest_first.begin(), c.id);
        }
    }
    ScheduledCallQuery q;
    q.status = CallStatus::pending;
    q.scheduled_to = kT0 + seconds(2000);
    q.page.limit = 4;
    auto pages = all_pages([&](const std::optional<Cursor>& cursor) {
        q.page.after = cursor;
        return store().scheduled_calls().list(q);
    });
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_EQ(pages[0].items.size(), 4u);
    EXPECT_EQ(pages[1].items.size(), 2u);
    std::vector<std::string> seen = ids_of(pages[0]);
    for (const auto& id : ids_of(pages[1])) seen.push_back(id);
    EXPECT_EQ(seen, pending_newest_first);
    for (const auto& call : pages[1].items) EXPECT_EQ(call.recipients.size(), 2u);
}

TEST_P(StoreContract, CancelOfAPendingCallCancelsEveryRecipient) {
    auto c = make_call(kTwo, kT0, kT0 + seconds(60));
    store().scheduled_calls().create(c, std::nullopt);
    auto canceled = store().scheduled_calls().cancel(c.id, kT0 + seconds(5));
    ASSERT_EQ(canceled.result, ChangeResult::changed);
    ASSERT_TRUE(canceled.call);
    EXPECT_EQ(canceled.call->status, CallStatus::canceled);
    EXPECT_EQ(canceled.call->updated_at, kT0 + seconds(5));
    for (const auto& r : canceled.call->recipients) {
        EXPECT_EQ(r.status, RecipientStatus::canceled);
        EXPECT_EQ(r.updated_at, kT0 + seconds(5));
    }
    EXPECT_EQ(store().scheduled_calls().get(c.id)->status, CallStatus::canceled);
}

TEST_P(StoreContract, CancelTwiceChangesNothingTheSecondTime) {
    auto c = make_call(kTwo, kT0, kT0);
    store().scheduled_calls().create(c, std::nullopt);
    store().scheduled_calls().cancel(c.id, kT0 + seconds(5));
    auto again = store().scheduled_calls().cancel(c.id, kT0 + seconds(6));
    EXPECT_EQ(again.result, ChangeResult::changed);
    ASSERT_TRUE(again.call);
    EXPECT_EQ(again.call->status, CallStatus::canceled);
    EXPECT_EQ(again.call->updated_at, kT0 + seconds(5));
    EXPECT_EQ(store().scheduled_calls().cancel(test_id(), kT0).result, ChangeResult::not_found);
}

TEST_P(StoreContract, CancelWhileDialingLeavesTheRecipientBeingDialed) {
    auto c = make_call(kTwo, kT0, kT0);
    store().scheduled_calls().create(c, std::nullopt);
    force({c.id, CallStatus::in_progress, 0, RecipientStatus::in_progress, 1});
    auto outcome = store().scheduled_calls().cancel(c.id, kT0 + seconds(5));
    ASSERT_EQ(outcome.result, ChangeResult::changed);
    EXPECT_EQ(outcome.call->status, CallStatus::canceled);
    EXPECT_EQ(outcome.call->recipients[0].status, RecipientStatus::in_progress);
    EXPECT_EQ(outcome.call->recipients[0].attempt, 1);
    EXPECT_EQ(outcome.call->recipients[1].status, RecipientStatus::canceled);
}

TEST_P(StoreContract, CancelOfAFinishedCallIsRefused) {
    for (auto status : {CallStatus::completed, CallStatus::failed}) {
        SCOPED_TRACE(std::string(to_string(status)));
        auto c = make_call(kTwo, kT0, kT0);
        store().scheduled_calls().create(c, std::nullopt);
        force({c.id, status, 0, RecipientStatus::completed, 1});
        auto outcome = store().scheduled_calls().cancel(c.id, kT0 + seconds(5));
        EXPECT_EQ(outcome.result, ChangeResult::wrong_state);
        ASSERT_TRUE(outcome.call);
        EXPECT_EQ(outcome.call->status, status);
        EXPECT_EQ(outcome.call->recipients[1].status, RecipientStatus::pending);
        EXPECT_EQ(store().scheduled_calls().get(c.id)->updated_at, kT0);
    }
}

TEST_P(StoreContract, UpdatePendingReschedulesAndReplacesRecipients) {
    auto c = make_call(kTwo, kT0, kT0 + seconds(60));
    store().scheduled_calls().create(c, std::nullopt);
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + seconds(120);
    patch.to_phone_numbers = std::vector<std::string>{"+442071838750", "+14155552671", "+14155552679"};
    auto outcome = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(1));
    ASSERT_EQ(outcome.result, ChangeResult::changed);
    auto got = store().scheduled_calls().get(c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->scheduled_date_time, kT0 + seconds(120));
    EXPECT_EQ(got->to_phone_numbers, *patch.to_phone_numbers);
    ASSERT_EQ(got->recipients.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got->recipients[i].phone_number, (*patch.to_phone_numbers)[i]);
        EXPECT_EQ(got->recipients[i].status, RecipientStatus::pending);
    }
    EXPECT_EQ(got->updated_at, kT0 + seconds(1));
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(outcome.call->to_phone_numbers, got->to_phone_numbers);
}

TEST_P(StoreContract, UpdatePendingCanRescheduleAlone) {
    auto c = make_call(kTwo, kT0, kT0 + seconds(60));
    store().scheduled_calls().create(c, std::nullopt);
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + seconds(30);
    auto outcome = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(1));
    ASSERT_EQ(outcome.result, ChangeResult::changed);
    EXPECT_EQ(outcome.call->scheduled_date_time, kT0 + seconds(30));
    EXPECT_EQ(outcome.call->to_phone_numbers, kTwo);
    EXPECT_EQ(outcome.call->recipients.size(), 2u);
}

TEST_P(StoreContract, UpdatePendingIsRefusedOnceDialingHasBegun) {
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + seconds(120);
    const DispatchState started[] = {
        {"", CallStatus::pending, 1, RecipientStatus::dialing, 1},      // claimed, call not yet marked
        {"", CallStatus::pending, 0, RecipientStatus::pending, 1},      // waiting for a redial
        {"", CallStatus::in_progress, 0, RecipientStatus::ringing, 1},
        {"", CallStatus::completed, 0, RecipientStatus::completed, 1},
    };
    for (auto state : started) {
        auto c = make_call(kTwo, kT0, kT0 + seconds(60));
        store().scheduled_calls().create(c, std::nullopt);
        state.call_id = c.id;
        force(state);
        auto outcome = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(1));
        EXPECT_EQ(outcome.result, ChangeResult::wrong_state);
        ASSERT_TRUE(outcome.call);
        EXPECT_EQ(outcome.call->scheduled_date_time, kT0 + seconds(60));
        EXPECT_EQ(outcome.call->updated_at, kT0);
    }
}

TEST_P(StoreContract, UpdatePendingIsRefusedAfterCancelAndUnknownForMissingCalls) {
    auto c = make_call(kTwo, kT0, kT0 + seconds(60));
    store().scheduled_calls().create(c, std::nullopt);
    store().scheduled_calls().cancel(c.id, kT0 + seconds(2));
    ScheduledCallPatch patch;
    patch.to_phone_numbers = std::vector<std::string>{"+442071838750"};
    auto refused = store().scheduled_calls().update_pending(c.id, patch, kT0 + seconds(3));
    EXPECT_EQ(refused.result, ChangeResult::wrong_state);
    EXPECT_EQ(refused.call->status, CallStatus::canceled);
    EXPECT_EQ(refused.call->to_phone_numbers, kTwo);
    EXPECT_EQ(store().scheduled_calls().update_pending(test_id(), patch, kT0).result, ChangeResult::not_found);
}

}  // namespace
}  // namespace va::store::test
