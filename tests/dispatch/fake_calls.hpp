#pragma once
// Twilio's Calls API as a scripted fake on simulated time, for the attempt state machine: each
// create answers as the test scripts it (placed, refused, throttled, or an answer lost with or
// without a call behind it), and the calls it "placed" are what list and fetch see.
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/this_coro.hpp>

#include "telephony/twilio/calls.hpp"
#include "timing/time_source.hpp"

namespace va::dispatch::test {

enum class CreateAnswer {
    placed,            // 201 with the call
    refused,           // 400, Twilio error 21211
    throttled,         // 429: not processed
    lost_after_place,  // the call exists, the answer never came (a timeout after sending)
    lost_before_place, // the request died on the way: no call, but we cannot know that
    hangs,             // the call is placed and the answer never comes (the worker dies waiting)
};

class FakeCalls final : public twilio::Calls {
public:
    explicit FakeCalls(timing::TimeSource& time) : time_(time) {}

    struct Create {
        twilio::CreateCallRequest request;
        core::TimePoint at;
    };
    std::vector<Create> creates;            // every create request, in order
    std::deque<CreateAnswer> answers;       // how the next creates answer; placed once empty
    std::vector<twilio::CallResource> calls;  // what Twilio has, oldest first
    int fetches = 0;
    std::chrono::milliseconds offset{0};  // Twilio's clock minus ours: its call times, and clock_offset()

    std::chrono::milliseconds clock_offset() const override { return offset; }

    boost::asio::awaitable<twilio::CallResult> create_call(twilio::CreateCallRequest request) override {
        creates.push_back({request, time_.now()});
        const auto answer = answers.empty() ? CreateAnswer::placed : answers.front();
        if (!answers.empty()) answers.pop_front();
        twilio::CallResult result;
        if (answer == CreateAnswer::placed || answer == CreateAnswer::lost_after_place || answer == CreateAnswer::hangs) {
            twilio::CallResource call;
            call.sid = sid(calls.size() + 1);
            call.to = request.to;
            call.from = request.from;
            call.status = "queued";
            call.date_created = time_.now() + offset;
            calls.push_back(call);
            if (answer == CreateAnswer::placed) {
                result.outcome = twilio::RestOutcome::ok;
                result.call = call;
                co_return result;
            }
        }
        switch (answer) {
            case CreateAnswer::refused:
                result.outcome = twilio::RestOutcome::rejected;
                result.error = {400, 21211, "The 'To' number is not a valid phone number.", true};
                break;
            case CreateAnswer::throttled:
                result.outcome = twilio::RestOutcome::throttled;
                result.error = {429, 20429, "Too Many Requests", true};
                break;
            case CreateAnswer::hangs:
                co_await timing::sleep_until(time_, timing::SteadyTime::max());
                [[fallthrough]];
            default:
                result.outcome = twilio::RestOutcome::unknown;
                result.error.request_sent = true;
                result.error.timed_out = true;
        }
        result.detail = "scripted";
        co_return result;
    }

    boost::asio::awaitable<twilio::ListResult> list_calls(twilio::ListCallsFilter filter) override {
        twilio::ListResult result;
        result.outcome = twilio::RestOutcome::ok;
        for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
            if ((filter.to.empty() || it->to == filter.to) && (filter.from.empty() || it->from == filter.from))
                result.calls.push_back(*it);
        }
        co_return result;
    }

    boost::asio::awaitable<twilio::CallResult> fetch_call(std::string call_sid) override {
        ++fetches;
        twilio::CallResult result;
        for (const auto& call : calls) {
            if (call.sid != call_sid) continue;
            result.outcome = twilio::RestOutcome::ok;
            result.call = call;
            co_return result;
        }
        result.outcome = twilio::RestOutcome::rejected;
        result.error = {404, 20404, "not found", true};
        co_return result;
    }

    boost::asio::awaitable<twilio::CallResult> update_call(std::string call_sid, twilio::Params) override {
        co_return co_await fetch_call(std::move(call_sid));
    }

    static std::string sid(std::size_t n) {
        auto digits = std::to_string(n);
        return "CA" + std::string(32 - digits.size(), '0') + digits;
    }

private:
    timing::TimeSource& time_;
};

}  // namespace va::dispatch::test
