#pragma once
// The behaviour every Store backend must have. A backend's test file instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory{...}));
// The tests live in store_contract.cpp (prompts, paging), scheduled_call_contract.cpp and
// call_log_contract.cpp.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.hpp"

namespace va::store::test {

// A state only the dispatcher reaches (it has no interface yet): lets the contract test how cancel
// and update_pending treat calls that are being dialed or are finished.
struct DispatchState {
    std::string call_id;
    CallStatus call_status = CallStatus::pending;
    std::size_t recipient = 0;  // position in to_phone_numbers
    RecipientStatus recipient_status = RecipientStatus::pending;
    int attempt = 0;
};

struct StoreFactory {
    std::string name;
    // Each call gives a fresh, empty store. shared_ptr so that a backend can keep what the store
    // needs (a temp dir, a server) alive exactly as long as the store (aliasing constructor).
    std::function<std::shared_ptr<Store>()> make;
    // Writes `state` behind the store's back, as the dispatcher would.
    std::function<void(Store&, const DispatchState&)> force;
};

inline std::ostream& operator<<(std::ostream& os, const StoreFactory& f) { return os << f.name; }

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override { store_ = GetParam().make(); }
    Store& store() { return *store_; }
    void force(const DispatchState& state) { GetParam().force(*store_, state); }

private:
    std::shared_ptr<Store> store_;
};

// Test data. Ids have the ObjectId shape and increase with each call, without depending on
// core/id (so a backend's tests do not depend on its implementation).
inline const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours{12};
std::string test_id();
Prompt make_prompt(const std::string& name, TimePoint at);
ScheduledCall make_call(const std::vector<std::string>& numbers, TimePoint created, TimePoint due);
CallLog make_log(const std::string& call_id, const std::string& to, const std::string& status, TimePoint at);

template <typename T>
std::vector<std::string> ids_of(const Page<T>& page) {
    std::vector<std::string> out;
    for (const auto& item : page.items) out.push_back(item.id);
    return out;
}

// Every page of a listing, following each page's cursor; `list` takes one and returns a page.
template <typename List>
auto all_pages(List list) {
    std::vector<decltype(list(std::optional<Cursor>()))> pages;
    std::optional<Cursor> cursor;
    do {
        pages.push_back(list(cursor));
        cursor = pages.back().next;
    } while (cursor && pages.size() < 1000);
    return pages;
}

inline const std::string kSid1 = "CA00000000000000000000000000000001";
inline const std::string kSid2 = "CA00000000000000000000000000000002";

// The dispatcher's part of the contract (dispatch_contract.cpp), with helpers for its tests.
class DispatchContract : public StoreContract {
protected:
    using milliseconds = std::chrono::milliseconds;
    using seconds = std::chrono::seconds;

    DispatchRepository& dispatch() { return store().dispatch(); }

    std::string schedule(std::vector<std::string> numbers, TimePoint due, std::optional<RetryPolicy> retry = {},
                         core::Variables variables = {}) {
        auto call = make_call(numbers, kT0, due);
        call.retry = retry;
        for (auto& r : call.recipients) r.variables = variables;
        store().scheduled_calls().create(call, std::nullopt);
        return call.id;
    }

    ClaimRequest request(const std::string& owner, TimePoint now, int max_live = 100, int limit = 64) {
        ClaimRequest r;
        r.owner = owner;
        r.now = now;
        r.lease = seconds(20);
        r.limit = limit;
        r.max_live = max_live;
        r.slot_interval = milliseconds(1000);
        r.lookahead = milliseconds(2000);
        r.max_dials_per_day = max_dials_per_day_;
        r.min_hours_between_calls_to_a_number = cooldown_;
        return r;
    }
    std::vector<Claim> claim(const std::string& owner, TimePoint now, int max_live = 100, int limit = 64) {
        return dispatch().claim(request(owner, now, max_live, limit)).claims;
    }
    // The claims and the deferrals.
    ClaimBatch claim_batch(const std::string& owner, TimePoint now, int max_live = 100, int limit = 64) {
        return dispatch().claim(request(owner, now, max_live, limit));
    }

    PlacedCall placed(const std::string& sid, TimePoint check_at) {
        return {sid, "+15005550006", RecipientStatus::queued, test_id(), check_at};
    }

    StatusEvent event(const Claim& c, const std::string& sid, RecipientStatus status, TimePoint at) {
        StatusEvent e;
        e.key = c.key;
        e.call_sid = sid;
        e.status = status;
        e.at = at;
        e.log_id = test_id();
        e.from = "+15005550006";
        if (is_final(status)) e.duration = 7;
        return e;
    }

    // The first attempt, claimed at kT0, placed and then busy at kT0 + 5 s: its call's policy
    // decides the redial.
    void placed_then_busy(const Claim& first) {
        ASSERT_TRUE(dispatch().record_placed(first, placed(kSid1, kT0 + seconds(90)), kT0));
        ASSERT_EQ(dispatch().apply_status(event(first, kSid1, RecipientStatus::busy, kT0 + seconds(5)), no_retry_,
                                          kT0 + seconds(5)),
                  StatusResult::applied);
    }

    Recipient recipient(const std::string& call_id, std::size_t position = 0) {
        return store().scheduled_calls().get(call_id)->recipients.at(position);
    }
    CallStatus call_status(const std::string& call_id) { return store().scheduled_calls().get(call_id)->status; }
    std::vector<CallLog> logs(const std::string& call_id) {
        CallLogQuery q;
        q.scheduled_call_id = call_id;
        return store().call_logs().list(q).items;
    }

    RetryPolicy no_retry_;  // the default policy these tests pass: one call
    // The toll-fraud limits claim() passes (ClaimRequest's defaults unless a test changes them).
    int max_dials_per_day_ = ClaimRequest{}.max_dials_per_day;
    milliseconds cooldown_ = ClaimRequest{}.min_hours_between_calls_to_a_number;
};

}  // namespace va::store::test
