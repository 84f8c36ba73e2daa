// The store contract for the dispatcher: claims (rate, cap, leases, fences), each step of an
// attempt, and status events applied forward only.
#include "store_contract.hpp"

namespace va::store::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_P(DispatchContract, AttemptIdsRoundTripAndRejectForgeries) {
    AttemptKey key{"6b069132c39355198401c8a5", 3, 2};
    EXPECT_EQ(to_string(key), "6b069132c39355198401c8a5-3-2");
    EXPECT_EQ(parse_attempt_id(to_string(key)), key);
    for (auto bad : {"", "abc", "a-1", "-1-1", "a-1-0", "a-01-1", "a--1-1", "a-1-x", "a b-1-1", "a-1-1-", "a-+1-1"}) {
        EXPECT_FALSE(parse_attempt_id(bad)) << bad;
    }
}

TEST_P(DispatchContract, DialClaimsAreSpacedByTheRateAcrossWorkers) {
    auto id = schedule({"+14155550001", "+14155550002", "+14155550003", "+14155550004"}, kT0);
    EXPECT_EQ(dispatch().next_due(), kT0);
    EXPECT_TRUE(claim("w1", kT0 - seconds(1)).empty());  // not due yet

    auto first = claim("w1", kT0);
    ASSERT_EQ(first.size(), 3u);  // slots kT0, +1 s, +2 s: the lookahead
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first[i].kind, ClaimKind::dial);
        EXPECT_EQ(first[i].slot, kT0 + seconds(static_cast<int>(i)));
        EXPECT_EQ(first[i].key.attempt, 1);
        EXPECT_EQ(first[i].dialed_at, kT0);
    }
    EXPECT_TRUE(claim("w2", kT0).empty());  // another worker finds no free slot either
    auto later = claim("w2", kT0 + milliseconds(1500));
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].slot, kT0 + seconds(3));
    EXPECT_EQ(call_status(id), CallStatus::in_progress);
    EXPECT_EQ(recipient(id).status, RecipientStatus::dialing);
}

TEST_P(DispatchContract, TheConcurrencyCapCountsEveryLiveCall) {
    auto id = schedule({"+14155550001", "+14155550002", "+14155550003"}, kT0);
    auto first = claim("w1", kT0, 2);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_TRUE(claim("w2", kT0 + seconds(5), 2).empty());
    ASSERT_TRUE(dispatch().record_placed(first[0], placed(kSid1, kT0 + seconds(90)), kT0 + seconds(1)));
    EXPECT_TRUE(claim("w2", kT0 + seconds(5), 2).empty());  // placed and live: still counts
    ASSERT_EQ(dispatch().apply_status(event(first[0], kSid1, RecipientStatus::completed, kT0 + seconds(6)),
                                      no_retry_, kT0 + seconds(6)),
              StatusResult::applied);
    auto next = claim("w2", kT0 + seconds(6), 2);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].phone_number, "+14155550003");
    EXPECT_EQ(recipient(id, 2).status, RecipientStatus::dialing);
}

TEST_P(DispatchContract, ACanceledCallsLiveRecipientIsToldToHangUpAndEndsCanceled) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0));
    ASSERT_EQ(store().scheduled_calls().cancel(id, kT0 + seconds(1)).result, ChangeResult::changed);
    EXPECT_EQ(recipient(id).status, RecipientStatus::queued) << "a live call keeps its state until it ends";
    EXPECT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::ringing, kT0 + seconds(2)), no_retry_,
                                      kT0 + seconds(2)),
              StatusResult::applied_to_canceled);
    EXPECT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::completed, kT0 + seconds(5)), no_retry_,
                                      kT0 + seconds(5)),
              StatusResult::applied);
    EXPECT_EQ(recipient(id).status, RecipientStatus::canceled);
    EXPECT_EQ(call_status(id), CallStatus::canceled);
    EXPECT_EQ(logs(id).at(0).status, "completed") << "the call log keeps what Twilio said";
}

TEST_P(DispatchContract, AStaleFenceWritesNothing) {
    schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    auto stale = c;
    stale.fence -= 1;
    EXPECT_FALSE(dispatch().renew(stale, kT0 + seconds(60)));
    EXPECT_FALSE(dispatch().record_placed(stale, placed(kSid1, kT0 + seconds(90)), kT0));
    EXPECT_FALSE(dispatch().record_unknown(stale, kT0, kT0 + seconds(60)));
    EXPECT_FALSE(dispatch().record_refused(stale, kT0, 21211, "invalid"));
    EXPECT_FALSE(dispatch().record_not_placed(stale, kT0, kT0, 5, "x"));
    EXPECT_FALSE(dispatch().reserve_slot(stale, kT0, milliseconds(1000), seconds(20)));
    EXPECT_TRUE(dispatch().renew(c, kT0 + seconds(60)));
}

TEST_P(DispatchContract, AnExpiredDialLeaseIsReconciledNotRedialed) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    EXPECT_TRUE(claim("w2", c.lease_until - milliseconds(1)).empty());
    auto taken = claim("w2", c.lease_until + milliseconds(1));
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].kind, ClaimKind::reconcile);
    EXPECT_EQ(taken[0].key, c.key);  // the same attempt, not a new one
    EXPECT_EQ(taken[0].dialed_at, kT0);
    EXPECT_GT(taken[0].fence, c.fence);
    EXPECT_FALSE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(30)));  // w1 is fenced off
    EXPECT_EQ(recipient(id).attempt, 1);

    // unknown keeps the lease with the reconciler; when it expires, the next worker reconciles.
    EXPECT_TRUE(dispatch().record_unknown(taken[0], kT0 + seconds(31), kT0 + seconds(40)));
    EXPECT_EQ(recipient(id).status, RecipientStatus::unknown);
    auto again = claim("w3", kT0 + seconds(41));
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].kind, ClaimKind::reconcile);
}

TEST_P(DispatchContract, APlacedCallMovesForwardOnlyAndCompletesTheScheduledCall) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + milliseconds(300)));
    auto r = recipient(id);
    EXPECT_EQ(r.status, RecipientStatus::queued);
    EXPECT_EQ(r.call_sid, kSid1);
    auto log = logs(id).at(0);
    EXPECT_EQ(log.status, "initiated");
    EXPECT_EQ(log.call_sid, kSid1);
    EXPECT_EQ(log.to, "+14155550001");
    EXPECT_EQ(log.from, "+15005550006");
    EXPECT_EQ(log.attempt_id, to_string(c.key));
    EXPECT_EQ(log.started_at, kT0 + milliseconds(300));

    auto apply = [&](RecipientStatus s, int at_s) {
        return dispatch().apply_status(event(c, kSid1, s, kT0 + seconds(at_s)), no_retry_, kT0 + seconds(at_s));
    };
    EXPECT_EQ(apply(RecipientStatus::ringing, 1), StatusResult::applied);
    EXPECT_EQ(apply(RecipientStatus::queued, 2), StatusResult::stale);  // reordered
    EXPECT_EQ(apply(RecipientStatus::in_progress, 3), StatusResult::applied);
    EXPECT_EQ(apply(RecipientStatus::completed, 10), StatusResult::applied);
    EXPECT_EQ(apply(RecipientStatus::completed, 11), StatusResult::stale);  // duplicated
    EXPECT_EQ(apply(RecipientStatus::ringing, 12), StatusResult::stale);    // late
    EXPECT_EQ(recipient(id).status, RecipientStatus::completed);
    EXPECT_EQ(call_status(id), CallStatus::completed);
    log = logs(id).at(0);
    EXPECT_EQ(log.status, "completed");
    EXPECT_EQ(log.answered_at, kT0 + seconds(3));
    EXPECT_EQ(log.ended_at, kT0 + seconds(10));
    EXPECT_EQ(log.duration, 7);
    EXPECT_TRUE(claim("w1", kT0 + seconds(3600)).empty());  // nothing left to do
    EXPECT_EQ(dispatch().next_due(), std::nullopt);
}

TEST_P(DispatchContract, ACallbackBeforeTwilioAnswersIsKept) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    EXPECT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::ringing, kT0), no_retry_, kT0),
              StatusResult::applied);
    EXPECT_EQ(recipient(id).call_sid, kSid1);
    EXPECT_FALSE(dispatch().record_unknown(c, kT0, kT0 + seconds(30)));  // the call exists: nothing to reconcile
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(1)));
    EXPECT_EQ(recipient(id).status, RecipientStatus::ringing);  // not moved back to queued
    EXPECT_EQ(logs(id).size(), 1u);
    EXPECT_EQ(logs(id).at(0).status, "ringing");
}

TEST_P(DispatchContract, EventsForAnotherCallOrAttemptChangeNothing) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0));
    EXPECT_EQ(dispatch().apply_status(event(c, kSid2, RecipientStatus::completed, kT0), no_retry_, kT0),
              StatusResult::unknown);
    auto future = c;
    future.key.attempt = 2;
    EXPECT_EQ(dispatch().apply_status(event(future, kSid1, RecipientStatus::completed, kT0), no_retry_, kT0),
              StatusResult::unknown);
    auto nowhere = c;
    nowhere.key.scheduled_call_id = test_id();
    EXPECT_EQ(dispatch().apply_status(event(nowhere, kSid1, RecipientStatus::completed, kT0), no_retry_, kT0),
              StatusResult::unknown);
    EXPECT_EQ(recipient(id).status, RecipientStatus::queued);
}

TEST_P(DispatchContract, BusyIsRedialedUnderTheCallsPolicy) {
    auto id = schedule({"+14155550001"}, kT0, RetryPolicy{2, seconds(60)});
    auto first = claim("w1", kT0).at(0);
    placed_then_busy(first);
    if (HasFatalFailure()) return;
    auto r = recipient(id);
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.next_attempt_at, kT0 + seconds(65));
    EXPECT_EQ(call_status(id), CallStatus::in_progress);
    EXPECT_EQ(logs(id).at(0).status, "busy");
    // A late duplicate of the first attempt's outcome does not touch the wait for the second.
    EXPECT_EQ(dispatch().apply_status(event(first, kSid1, RecipientStatus::busy, kT0 + seconds(6)), no_retry_,
                                      kT0 + seconds(6)),
              StatusResult::stale);
    EXPECT_TRUE(claim("w1", kT0 + seconds(64)).empty());

    auto second = claim("w1", kT0 + seconds(65)).at(0);
    EXPECT_EQ(second.key.attempt, 2);
    ASSERT_TRUE(second.retry);
    EXPECT_EQ(second.retry->max_attempts, 2);
    ASSERT_TRUE(dispatch().record_placed(second, placed(kSid2, kT0 + seconds(200)), kT0 + seconds(65)));
    ASSERT_EQ(dispatch().apply_status(event(second, kSid2, RecipientStatus::no_answer, kT0 + seconds(90)), no_retry_,
                                      kT0 + seconds(90)),
              StatusResult::applied);
    EXPECT_EQ(recipient(id).status, RecipientStatus::no_answer);
    EXPECT_EQ(call_status(id), CallStatus::completed);
    EXPECT_EQ(logs(id).size(), 2u);
}

TEST_P(DispatchContract, AnAttemptThatNeverBecameACallIsMadeAgainUpToALimit) {
    auto id = schedule({"+14155550001"}, kT0);
    auto now = kT0;
    for (int i = 1; i <= 2; ++i) {
        auto c = claim("w1", now).at(0);
        EXPECT_EQ(c.key.attempt, i);
        ASSERT_TRUE(dispatch().record_not_placed(c, now, now + seconds(5), 2, "no call"));
        now += seconds(5);
    }
    auto r = recipient(id);
    EXPECT_EQ(r.status, RecipientStatus::failed);
    EXPECT_EQ(r.error_message, "no call");
    EXPECT_EQ(call_status(id), CallStatus::completed);
}

TEST_P(DispatchContract, UnplacedAttemptsDoNotUseUpTheRetryPolicy) {
    auto id = schedule({"+14155550001"}, kT0);  // default policy: one call
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_not_placed(c, kT0, kT0 + seconds(5), 5, "no call"));
    auto second = claim("w1", kT0 + seconds(5)).at(0);
    EXPECT_EQ(second.key.attempt, 2);
    ASSERT_TRUE(dispatch().record_placed(second, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(5)));
    RetryPolicy two{2, seconds(10)};
    ASSERT_EQ(dispatch().apply_status(event(second, kSid1, RecipientStatus::busy, kT0 + seconds(9)), two,
                                      kT0 + seconds(9)),
              StatusResult::applied);
    EXPECT_EQ(recipient(id).status, RecipientStatus::pending);  // one call made of two allowed
}

TEST_P(DispatchContract, ARefusedDialFailsWithTwiliosCode) {
    auto id = schedule({"+14155550001", "+14155550002"}, kT0);
    auto claims = claim("w1", kT0);
    ASSERT_TRUE(dispatch().record_refused(claims[0], kT0, 21215, "geo permissions"));
    auto r = recipient(id);
    EXPECT_EQ(r.status, RecipientStatus::failed);
    EXPECT_EQ(r.error_code, 21215);
    EXPECT_EQ(r.error_message, "geo permissions");
    EXPECT_EQ(call_status(id), CallStatus::in_progress);  // the other recipient is still being dialed
    ASSERT_TRUE(dispatch().record_refused(claims[1], kT0, 21211, "invalid"));
    EXPECT_EQ(call_status(id), CallStatus::completed);
}

TEST_P(DispatchContract, AnOverdueCallIsCheckedThenCheckedAgainLater) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0));
    EXPECT_EQ(dispatch().next_due(), kT0 + seconds(90));
    EXPECT_TRUE(claim("w1", kT0 + seconds(89)).empty());
    auto check = claim("w2", kT0 + seconds(91));
    ASSERT_EQ(check.size(), 1u);
    EXPECT_EQ(check[0].kind, ClaimKind::check);
    EXPECT_EQ(check[0].call_sid, kSid1);
    ASSERT_TRUE(dispatch().release_check(check[0], kT0 + seconds(151)));
    EXPECT_TRUE(claim("w2", kT0 + seconds(150)).empty());
    EXPECT_EQ(claim("w2", kT0 + seconds(152)).size(), 1u);
    EXPECT_EQ(recipient(id).status, RecipientStatus::queued);
}

TEST_P(DispatchContract, ACanceledCallIsNotRedialed) {
    auto id = schedule({"+14155550001", "+14155550002"}, kT0 + seconds(1), RetryPolicy{3, seconds(60)});
    auto c = claim("w1", kT0 + seconds(1), 100, 1).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(1)));
    ASSERT_EQ(store().scheduled_calls().cancel(id, kT0 + seconds(2)).result, ChangeResult::changed);
    ASSERT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::busy, kT0 + seconds(3)), no_retry_,
                                      kT0 + seconds(3)),
              StatusResult::applied);
    EXPECT_EQ(recipient(id, 0).status, RecipientStatus::canceled) << "live when canceled: ends canceled";
    EXPECT_EQ(logs(id).at(0).status, "busy") << "the call log keeps what Twilio said";
    EXPECT_EQ(recipient(id, 1).status, RecipientStatus::canceled);
    EXPECT_EQ(call_status(id), CallStatus::canceled);
    EXPECT_TRUE(claim("w1", kT0 + seconds(600)).empty());
}

TEST_P(DispatchContract, KnownCallSidsCoverEveryAttemptToANumber) {
    cooldown_ = milliseconds(0);  // one number dialed from two calls at once
    auto a = schedule({"+14155550001"}, kT0);
    auto b = schedule({"+14155550001", "+14155550002"}, kT0);
    auto claims = claim("w1", kT0);
    ASSERT_EQ(claims.size(), 3u);
    for (std::size_t i = 0; i < claims.size(); ++i) {
        auto sid = "CA0000000000000000000000000000001" + std::to_string(i);
        ASSERT_TRUE(dispatch().record_placed(claims[i], placed(sid, kT0 + seconds(90)), kT0));
    }
    const AttemptKey elsewhere{test_id(), 0, 1};
    auto sids = dispatch().known_call_sids("+14155550001", elsewhere);
    EXPECT_EQ(sids.size(), 2u);
    EXPECT_EQ(dispatch().known_call_sids("+14155550009", elsewhere).size(), 0u);
    EXPECT_EQ(dispatch().known_call_sids("+14155550001", claims[0].key).size(), 1u) << "not the attempt's own";
    (void)a;
    (void)b;
}

TEST_P(DispatchContract, ReconciliationMayAdoptTheCallItsOwnStreamRecordedFirst) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_unknown(c, kT0, kT0 + seconds(30)));  // Twilio's answer was lost...
    // ...but the callee picked up at once: the stream recorded the call on the attempt's log.
    StreamStart stream{to_string(c.key), test_id(), id, "+14155550001", "+15005550006", kSid1, "MZ1", kT0 + seconds(2)};
    ASSERT_TRUE(store().call_logs().record_stream_start(stream));
    EXPECT_TRUE(dispatch().known_call_sids("+14155550001", c.key).empty()) << "its own call: reconciliation adopts it";
    EXPECT_EQ(dispatch().known_call_sids("+14155550001", AttemptKey{id, 0, 2}), std::vector<std::string>{kSid1})
        << "the next attempt must not adopt it";
    EXPECT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(3)));
    EXPECT_EQ(recipient(id).call_sid, kSid1);
}

TEST_P(DispatchContract, ReconciliationMayAdoptACallOurWebhookAnsweredForTheOriginalSystem) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_unknown(c, kT0, kT0 + seconds(30)));
    // The original worker's call (no attempt in its Url) reached our voice webhook, which logged it.
    auto answered = make_log(id, "+14155550001", "in-progress", kT0 + seconds(1));
    answered.call_sid = kSid1;
    store().call_logs().create(answered);
    EXPECT_TRUE(dispatch().known_call_sids("+14155550001", c.key).empty()) << "the call's own: adoptable";
    auto other = make_log(test_id(), "+14155550001", "in-progress", kT0 + seconds(1));
    other.call_sid = kSid2;
    store().call_logs().create(other);
    EXPECT_EQ(dispatch().known_call_sids("+14155550001", c.key), std::vector<std::string>{kSid2}) << "another call's";
    EXPECT_FALSE(dispatch().record_placed(c, placed(kSid2, kT0 + seconds(90)), kT0 + seconds(2)));
    EXPECT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0 + seconds(2)));
}

TEST_P(DispatchContract, ASlotReservedAfterThrottlingComesAfterEveryOther) {
    schedule({"+14155550001", "+14155550002"}, kT0);
    auto claims = claim("w1", kT0);
    ASSERT_EQ(claims.size(), 2u);  // slots kT0, kT0 + 1 s
    auto slot = dispatch().reserve_slot(claims[0], kT0 + milliseconds(200), milliseconds(1000), seconds(20));
    EXPECT_EQ(slot, kT0 + seconds(2));
    auto late = dispatch().reserve_slot(claims[1], kT0 + seconds(10), milliseconds(1000), seconds(20));
    EXPECT_EQ(late, kT0 + seconds(10));
}

TEST_P(DispatchContract, ALateCallbackRevivesAnAttemptDeclaredNotPlaced) {
    auto id = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_unknown(c, kT0, kT0 + seconds(30)));
    ASSERT_TRUE(dispatch().record_not_placed(c, kT0 + seconds(60), kT0 + seconds(65), 5, "no call"));
    // Twilio placed it after all: the redial is called off and the call is followed.
    ASSERT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::ringing, kT0 + seconds(61)), no_retry_,
                                      kT0 + seconds(61)),
              StatusResult::applied);
    auto r = recipient(id);
    EXPECT_EQ(r.status, RecipientStatus::ringing);
    EXPECT_EQ(r.call_sid, kSid1);
    EXPECT_EQ(r.next_attempt_at, std::nullopt);
    EXPECT_TRUE(claim("w1", kT0 + seconds(66)).empty());
    ASSERT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::completed, kT0 + seconds(70)), no_retry_,
                                      kT0 + seconds(70)),
              StatusResult::applied);
    EXPECT_EQ(call_status(id), CallStatus::completed);
}

TEST_P(DispatchContract, ReconciliationCannotAdoptAnotherAttemptsCall) {
    cooldown_ = milliseconds(0);  // one number dialed from two calls at once
    schedule({"+14155550001"}, kT0);
    schedule({"+14155550001"}, kT0);
    auto claims = claim("w1", kT0);
    ASSERT_EQ(claims.size(), 2u);
    ASSERT_TRUE(dispatch().record_placed(claims[0], placed(kSid1, kT0 + seconds(90)), kT0));
    EXPECT_FALSE(dispatch().record_placed(claims[1], placed(kSid1, kT0 + seconds(90)), kT0));
    EXPECT_TRUE(dispatch().record_placed(claims[1], placed(kSid2, kT0 + seconds(90)), kT0));
}

TEST_P(DispatchContract, ADeferralOfACanceledCallCancels) {
    CallingWindow window{9 * 60, 20 * 60, "UTC", {}};
    auto call = make_call({"+14155550001"}, kT0, kT0);
    call.call_window = window;
    store().scheduled_calls().create(call, std::nullopt);
    auto c = claim("w1", kT0).at(0);
    ASSERT_EQ(store().scheduled_calls().cancel(call.id, kT0).result, ChangeResult::changed);
    ASSERT_TRUE(dispatch().defer(c, kT0 + seconds(3600), kT0));
    EXPECT_EQ(recipient(call.id).status, RecipientStatus::canceled);
    EXPECT_TRUE(claim("w1", kT0 + seconds(7200)).empty());
}

TEST_P(DispatchContract, AClaimCarriesTheCallingWindowAndADeferralGivesTheAttemptBack) {
    CallingWindow window{9 * 60, 20 * 60, "Europe/Paris", {{"+14155550001", "America/Los_Angeles"}}};
    auto call = make_call({"+14155550001"}, kT0, kT0);
    call.call_window = window;
    store().scheduled_calls().create(call, std::nullopt);
    EXPECT_EQ(store().scheduled_calls().get(call.id)->call_window, window);

    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(c.call_window);
    EXPECT_EQ(c.call_window->zone_for("+14155550001"), "America/Los_Angeles");
    EXPECT_EQ(c.key.attempt, 1);
    ASSERT_TRUE(dispatch().defer(c, kT0 + seconds(3600), kT0));
    EXPECT_FALSE(dispatch().defer(c, kT0 + seconds(3600), kT0));  // once
    auto r = recipient(call.id);
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.attempt, 0);  // no call was attempted
    EXPECT_EQ(r.next_attempt_at, kT0 + seconds(3600));
    EXPECT_TRUE(claim("w1", kT0 + seconds(3599)).empty());
    EXPECT_EQ(claim("w1", kT0 + seconds(3600)).at(0).key.attempt, 1);
}

}  // namespace

}  // namespace va::store::test
