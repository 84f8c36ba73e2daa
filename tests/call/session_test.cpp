// Media Streams sessions driven by recorded Twilio message sequences (ScriptedSocket), with the
// real store and stream tokens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "support/log_capture.hpp"
#include "media/mulaw.hpp"
#include "timing/time_source.hpp"

namespace va::call::test {
namespace {

using std::chrono::milliseconds;
using timing::SteadyTime;

bool has_end_mark(const std::vector<std::string>& written) {
    for (const auto& m : parsed(written)) {
        auto* mark = std::get_if<twilio::OutboundMark>(&m);
        if (mark && mark->name.ends_with(":end")) return true;
    }
    return false;
}

// A scheduled call and the token its webhook handed out for recipient 0.
struct Answered {
    store::ScheduledCall call;
    std::string token;
};

Answered answer(CallHarness& h, const std::string& introduction = "Hi there") {
    auto call = h.schedule({"+14155552671"}, introduction);
    StreamGrant grant{call.id, call.id + "-0-1", "6566a1b2c3d4e5f6071829aa", kCallSid, kNow + std::chrono::seconds(60)};
    return {call, h.context().tokens.issue(grant)};
}

std::vector<ScriptStep> then(std::vector<ScriptStep> a, const std::vector<ScriptStep>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST(StreamSession, AValidStartGetsTheGreetingAndTheCallLogRecordsTheStream) {
    CallHarness h;
    auto a = answer(h);
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"IsOutbound", "true"}, {"Token", a.token}}),
                             {WaitFor{has_end_mark}, EchoMarks{}, Send{stop_message(2)}}));
    EXPECT_FALSE(log->timed_out);
    EXPECT_EQ(audio_bytes(log->written), 8u * 800) << "the whole greeting (the fake TTS: 100 ms per character)";
    auto messages = parsed(log->written);
    ASSERT_FALSE(messages.empty());
    EXPECT_TRUE(std::holds_alternative<twilio::OutboundMedia>(messages.front())) << "audio first";
    ASSERT_EQ(h.infos.size(), 1u);
    EXPECT_EQ(h.infos[0].system_prompt, a.call.content);
    EXPECT_EQ(h.infos[0].greeting, "Hi there");
    EXPECT_EQ(h.infos[0].call_sid, kCallSid);
    EXPECT_TRUE(h.infos[0].outbound);

    auto logs = h.store().call_logs().list({}).items;
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].attempt_id, a.call.id + "-0-1");
    EXPECT_EQ(logs[0].to, "+14155552671");
    EXPECT_EQ(logs[0].stream_sid, kStreamSid);
    EXPECT_EQ(logs[0].stream_started_at, kNow);
    EXPECT_EQ(logs[0].stream_ended_at, kNow + milliseconds(600))
        << "paced in simulated time: the last of the 800 ms went out 200 ms (the lead) before it played, then Twilio stopped";
    EXPECT_EQ(logs[0].stream_duration_ms, 600);
}

// A campaign's recipient: the agent is told and says the prompt with their variables, and the
// call log keeps what it was told and said.
TEST(StreamSession, TheAgentAndTheCallLogGetThePromptWithTheRecipientsVariables) {
    CallHarness h;
    auto call = h.schedule({"+14155552671", "+14155552672"}, "Hi {{name}}", store::CallStatus::in_progress,
                           {{{"name", "Ann"}}, {{"name", "Ken"}}});
    StreamGrant grant{call.id, call.id + "-1-1", "6566a1b2c3d4e5f6071829aa", kCallSid, kNow + std::chrono::seconds(60)};
    auto log = h.stream(then(opening({{"ScheduledCallId", call.id}, {"IsOutbound", "true"}, {"Token", h.context().tokens.issue(grant)}}),
                             {WaitFor{has_end_mark}, EchoMarks{}, Send{stop_message(2)}}));
    EXPECT_EQ(audio_bytes(log->written), 6u * 800) << "\"Hi Ken\" (the fake TTS: 100 ms per character)";
    ASSERT_EQ(h.infos.size(), 1u);
    EXPECT_EQ(h.infos[0].greeting, "Hi Ken");
    EXPECT_THAT(h.infos[0].system_prompt, ::testing::StartsWith(call.content + "\n\n<recipient_data>"));
    EXPECT_THAT(h.infos[0].system_prompt, ::testing::HasSubstr(R"({"name":"Ken"})"));
    auto logs = h.store().call_logs().list({}).items;
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].to, "+14155552672");
    EXPECT_EQ(logs[0].introduction, "Hi Ken");
    EXPECT_EQ(logs[0].content, h.infos[0].system_prompt);
}

TEST(StreamSession, AStreamWithoutAValidTokenIsClosedAndChangesNothing) {
    CallHarness h;
    auto a = answer(h);
    auto forged = a.token;
    forged.back() = forged.back() == '0' ? '1' : '0';
    for (const auto& parameters : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {{"ScheduledCallId", a.call.id}},
             {{"ScheduledCallId", a.call.id}, {"Token", forged}},
             {{"ScheduledCallId", "6566a1b2c3d4e5f6071829ff"}, {"Token", a.token}}}) {
        auto log = h.stream(then(opening(parameters), {Send{media_message(2)}, Send{stop_message(3)}}), false);
        EXPECT_TRUE(log->closed_by_session);
        EXPECT_EQ(audio_bytes(log->written), 0u);
    }
    EXPECT_TRUE(h.infos.empty());
    EXPECT_TRUE(h.store().call_logs().list({}).items.empty());
    EXPECT_EQ(h.tts().calls, 0);
}

TEST(StreamSession, ATokenWorksOnceAndNotAfterItExpires) {
    CallHarness h;
    auto a = answer(h);
    auto start = opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}});
    h.stream(then(start, {Send{stop_message(2)}}));
    auto replay = h.stream(then(start, {Send{stop_message(2)}}), false);
    EXPECT_TRUE(replay->closed_by_session) << "the same token again";
    EXPECT_EQ(h.infos.size(), 1u);

    auto b = answer(h);
    h.time().advance(std::chrono::seconds(61));
    auto late = h.stream(then(opening({{"ScheduledCallId", b.call.id}, {"Token", b.token}}), {}), false);
    EXPECT_TRUE(late->closed_by_session);
    EXPECT_EQ(h.infos.size(), 1u);
}

TEST(StreamSession, ATokenIsGoodOnlyForItsOwnCallOnOurAccount) {
    CallHarness h;
    auto a = answer(h);
    const std::vector<std::pair<std::string, std::string>> parameters{{"ScheduledCallId", a.call.id}, {"Token", a.token}};
    va::test::LogCapture log;
    auto other_call = h.stream(then(opening(parameters, "CAffffffffffffffffffffffffffffffff"), {}), false);
    EXPECT_TRUE(other_call->closed_by_session) << "start.callSid is not the call the token was issued for";
    EXPECT_TRUE(log.contains("the token was issued for another call")) << log.all();
    EXPECT_FALSE(log.contains("CAffff")) << "a sid is logged only once its stream is admitted:\n" << log.all();
    auto other_account = h.stream(then(opening(parameters, kCallSid, "ACffffffffffffffffffffffffffffffff"), {}), false);
    EXPECT_TRUE(other_account->closed_by_session) << "start.accountSid is not ours";
    EXPECT_TRUE(h.infos.empty());
    EXPECT_TRUE(h.store().call_logs().list({}).items.empty());
    // The same token on its own call and account still works: neither refusal used it up.
    h.stream(then(opening(parameters), {Send{stop_message(2)}}));
    EXPECT_EQ(h.infos.size(), 1u);
}

TEST(StreamSession, AStartWithoutACallSidIsRefused) {
    CallHarness h;
    auto a = answer(h);
    twilio::Start start;
    start.stream_sid = kStreamSid;
    start.custom_parameters = {{"ScheduledCallId", a.call.id}, {"Token", a.token}};
    auto log = h.stream({Send{twilio::to_json(start, 1, kStreamSid)}}, false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_TRUE(h.infos.empty());
    EXPECT_TRUE(h.store().call_logs().list({}).items.empty());
}

TEST(StreamSession, ACanceledCallsStreamIsRefused) {
    CallHarness h;
    auto a = answer(h);
    h.store().scheduled_calls().cancel(a.call.id, kNow);
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), {}), false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_TRUE(h.infos.empty());
}

TEST(StreamSession, WhenTheStoreFailsAtAdmissionTheCalleeHearsAnApologyAndTheCallEnds) {
    CallHarness h;
    auto a = answer(h);
    h.store_down();
    va::test::LogCapture captured;
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), {WaitFor{has_end_mark}, EchoMarks{}}),
                        false);
    EXPECT_FALSE(log->timed_out);
    EXPECT_TRUE(log->closed_by_session) << "hung up once the apology has played";
    EXPECT_EQ(audio_bytes(log->written), 8u * 100 * kStoreDownLine.size()) << "the whole line (the fake TTS: 100 ms per character)";
    EXPECT_TRUE(h.infos.empty()) << "no agent of the call's own: the prompt could not be read";
    EXPECT_TRUE(captured.contains("stream not admitted: the store failed: No suitable servers found")) << captured.all();
}

TEST(StreamSession, BadMessagesAreIgnoredAndTheCallGoesOn) {
    CallHarness h;
    auto a = answer(h, "Hi");
    std::vector<ScriptStep> script{
        Send{media_message(1)},                        // media before start
        Send{"not json"},
        Send{"{\"event\":\"media\",\"sequenceNumber\":2}"},  // wrong shape
        Send{R"({"event":"media","sequenceNumber":"3","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"***"}})"},
        Send{R"({"event":"dance","sequenceNumber":"4","streamSid":"MZ0123456789abcdef0123456789abcdef"})"},
        Send{std::string("\x00\x01", 2), true},        // binary
        Send{"[]"},
    };
    script = then(script, opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}));
    script = then(script, {Send{twilio::to_json(twilio::Media{"inbound", 1, 20, std::vector<std::uint8_t>(160, 0xFF)}, 5,
                                                "MZ_some_other_stream")},
                           // This stream's, in the fast path's shape, but its payload is not base64.
                           Send{R"({"event":"media","sequenceNumber":"6","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"track":"inbound","chunk":"2","timestamp":"25","payload":"***="}})"},
                           WaitFor{has_end_mark}, Send{stop_message(9)}});
    auto log = h.stream(script);
    EXPECT_EQ(audio_bytes(log->written), 2u * 800) << "the greeting still went out";
    EXPECT_EQ(h.metrics().counter("media_stream_bad_messages_total", "").value(), 9);
    EXPECT_EQ(h.store().call_logs().list({}).items.at(0).stream_sid, kStreamSid);
}

// Records what the session hands an agent, interrupts itself on a DTMF "9" and says 100 ms more
// on an "8".
class RecordingAgent final : public Agent {
public:
    RecordingAgent(CallControl& control, std::vector<std::string>& events) : control_(control), events_(events) {}
    void on_start() override {
        std::vector<std::uint8_t> second(8000, 0x55);
        control_.play(1, second);
        control_.finish(1);
    }
    void on_audio(std::span<const std::int16_t> pcm) override {
        events_.push_back("audio " + std::to_string(pcm.size()) + " " + std::to_string(pcm[0]));
    }
    void on_dtmf(char digit) override {
        events_.push_back(std::string("dtmf ") + digit);
        if (digit == '9') control_.interrupt();
        if (digit == '8') {
            std::vector<std::uint8_t> more(800, 0x55);
            control_.play(2, more);
            control_.finish(2);
        }
    }
    void on_played(UtteranceId id, milliseconds heard, bool finished) override {
        events_.push_back("played " + std::to_string(id) + " " + (finished ? "finished" : std::to_string(heard.count())));
    }
    boost::asio::awaitable<void> run() override { co_return; }
    void on_shutdown() override { events_.push_back("shutdown"); }
    void on_end() override { events_.push_back("end"); }

private:
    CallControl& control_;
    std::vector<std::string>& events_;
};

TEST(StreamSession, TheAgentGetsDecodedAudioDigitsMarksAndTheEnd) {
    CallHarness h;
    std::vector<std::string> events;
    h.agent_factory = [&](const CallInfo&, CallControl& control) { return std::make_unique<RecordingAgent>(control, events); };
    auto a = answer(h);
    auto dtmf = [](const std::string& digit, std::uint64_t seq) {
        return Send{twilio::to_json(twilio::Dtmf{"inbound_track", digit}, seq, kStreamSid)};
    };
    auto marks = [](std::size_t n) {
        return WaitFor{[n](const auto& w) {
            std::size_t count = 0;
            for (const auto& m : parsed(w)) count += std::holds_alternative<twilio::OutboundMark>(m);
            return count >= n;
        }};
    };
    auto cleared = WaitFor{[](const auto& w) {
        for (const auto& m : parsed(w))
            if (std::holds_alternative<twilio::Clear>(m)) return true;
        return false;
    }};
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}),
                             {Send{media_message(2, 0x80)}, dtmf("1", 3), marks(2), EchoMarks{}, dtmf("9", 4), cleared,
                              EchoMarks{}, Send{stop_message(5)}}));
    ASSERT_GE(events.size(), 5u);
    EXPECT_EQ(events[0], "audio 160 " + std::to_string(media::mulaw_decode(0x80)));
    EXPECT_EQ(events[1], "dtmf 1");
    EXPECT_EQ(events[2], "played 1 100") << "the first mark: 100 ms heard";
    auto nine = std::find(events.begin(), events.end(), "dtmf 9");
    ASSERT_NE(nine, events.end());
    std::vector<std::string> after(nine + 1, events.end());
    ASSERT_EQ(after.size(), 2u) << "one cut report, then the end: marks Twilio echoes after a clear mean nothing";
    ASSERT_TRUE(after[0].starts_with("played 1 ")) << after[0];
    const int heard = std::stoi(after[0].substr(9));
    EXPECT_GE(heard, 100);
    EXPECT_LT(heard, 1000);
    EXPECT_EQ(after[1], "end");
    EXPECT_LT(audio_bytes(log->written), 8000u) << "the clear stopped the rest of the second";
}

// A clear goes out only when Twilio holds audio of ours: once every mark is back, an interrupt
// has nothing to drop and sends nothing.
TEST(StreamSession, AnInterruptAfterEverythingHasPlayedSendsNoClear) {
    CallHarness h;
    std::vector<std::string> events;
    h.agent_factory = [&](const CallInfo&, CallControl& control) { return std::make_unique<RecordingAgent>(control, events); };
    auto a = answer(h);
    auto sent = [](std::size_t bytes) { return WaitFor{[bytes](const auto& w) { return audio_bytes(w) >= bytes; }}; };
    // The "8"'s audio goes out after whatever the "9" queued: a clear would be in the log by then.
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}),
                             {sent(8000), EchoMarks{},
                              Send{twilio::to_json(twilio::Dtmf{"inbound_track", "9"}, 2, kStreamSid)},
                              Send{twilio::to_json(twilio::Dtmf{"inbound_track", "8"}, 3, kStreamSid)}, sent(8800),
                              Send{stop_message(4)}}));
    EXPECT_NE(std::find(events.begin(), events.end(), "played 1 finished"), events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "dtmf 9"), events.end());
    for (const auto& m : parsed(log->written)) EXPECT_FALSE(std::holds_alternative<twilio::Clear>(m));
}

TEST(StreamSession, AStreamThatGoesQuietIsClosedAndItsEndRecorded) {
    auto options = CallHarness::default_options();
    options.limits.idle_timeout = milliseconds(50);
    CallHarness h(options);
    auto a = answer(h, "");
    auto log = h.stream(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_EQ(log->close_reason, "no media in time");
    EXPECT_EQ(h.store().call_logs().list({}).items.at(0).stream_ended_at, kNow + milliseconds(50));
}

TEST(StreamSession, AStreamIsClosedAtTheLongestSessionAllowed) {
    auto options = CallHarness::default_options();
    options.limits.max_session = milliseconds(2000);
    CallHarness h(options);
    auto a = answer(h, "");
    std::vector<ScriptStep> media;
    for (std::uint64_t i = 0; i < 5; ++i) media.push_back(Send{media_message(2 + i)});
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), media), false);
    EXPECT_EQ(log->close_reason, "the longest session allowed");
    EXPECT_EQ(h.store().call_logs().list({}).items.at(0).stream_ended_at, kNow + milliseconds(2000));
}

// An agent whose own work (a short sound, then a long wait) never ends by itself, or fails.
class WorkingAgent final : public Agent {
public:
    WorkingAgent(CallControl& control, timing::TimeSource& time, std::vector<std::string>& events, bool fail)
        : control_(control), time_(time), events_(events), fail_(fail) {}
    void on_start() override { events_.push_back("start"); }
    boost::asio::awaitable<void> run() override {
        events_.push_back("run");
        if (fail_) throw std::runtime_error("the agent broke");
        std::vector<std::uint8_t> beep(800, 0x55);
        control_.play(1, beep);
        const bool woke = co_await timing::sleep_for(time_, std::chrono::hours(1));
        events_.push_back(woke ? "run woke" : "run cancelled");
    }
    void on_audio(std::span<const std::int16_t>) override {}
    void on_dtmf(char) override {}
    void on_played(UtteranceId, milliseconds, bool) override {}
    void on_shutdown() override { events_.push_back("shutdown"); }
    void on_end() override { events_.push_back("end"); }

private:
    CallControl& control_;
    timing::TimeSource& time_;
    std::vector<std::string>& events_;
    bool fail_;
};

// Once the session has sent audio, the server starts shutting down with `grace` to go.
WaitFor shutdown_after_audio(CallHarness& h, milliseconds grace, SteadyTime& at) {
    return WaitFor{[&h, grace, &at](const std::vector<std::string>& written) {
        if (audio_bytes(written) == 0) return false;
        at = h.time().steady_now();
        h.context().live->shutdown(at + grace);
        return true;
    }};
}

TEST(StreamSession, AShutdownTellsTheAgentAndClosesTheStreamAtTheGraceDeadline) {
    CallHarness h;
    std::vector<std::string> events;
    h.agent_factory = [&](const CallInfo&, CallControl& control) {
        return std::make_unique<WorkingAgent>(control, h.time(), events, false);  // says no goodbye
    };
    auto a = answer(h, "");
    SteadyTime shutdown_at{};
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}),
                             {shutdown_after_audio(h, milliseconds(5000), shutdown_at)}),
                        /*close_at_end=*/false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_THAT(events, ::testing::ElementsAre("start", "run", "shutdown", "run cancelled", "end"));
    EXPECT_EQ(h.time().steady_now() - shutdown_at, milliseconds(5000)) << "closed at the deadline, not before";
    EXPECT_TRUE(h.store().call_logs().list({}).items.at(0).stream_ended_at) << "the end is recorded";
    EXPECT_EQ(h.context().live->count(), 0u);
}

TEST(StreamSession, AtAShutdownTheGreetingAgentHangsUpAtOnce) {
    CallHarness h;
    auto a = answer(h, "Hello there, this is a rather long greeting.");
    SteadyTime shutdown_at{};
    auto log = h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}),
                             {shutdown_after_audio(h, milliseconds(20000), shutdown_at)}),
                        /*close_at_end=*/false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_LT(h.time().steady_now() - shutdown_at, milliseconds(1000)) << "it did not wait for the deadline";
    EXPECT_TRUE(h.store().call_logs().list({}).items.at(0).stream_ended_at);
}

TEST(StreamSession, TheAgentsWorkIsAMemberOfTheCallsTaskGroup) {
    CallHarness h;
    std::vector<std::string> events;
    h.agent_factory = [&](const CallInfo&, CallControl& control) {
        return std::make_unique<WorkingAgent>(control, h.time(), events, false);
    };
    auto a = answer(h, "");
    auto has_audio = [](const auto& written) { return audio_bytes(written) > 0; };
    h.stream(then(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), {WaitFor{has_audio}, Send{stop_message(2)}}));
    EXPECT_THAT(events, ::testing::ElementsAre("start", "run", "run cancelled", "end"))
        << "the call's end cancels and awaits the agent's work before on_end";
    EXPECT_TRUE(h.store().call_logs().list({}).items.at(0).stream_ended_at);
}

TEST(StreamSession, AnAgentWhoseWorkFailsEndsTheCallAndTheEndIsRecorded) {
    CallHarness h;
    std::vector<std::string> events;
    h.agent_factory = [&](const CallInfo&, CallControl& control) {
        return std::make_unique<WorkingAgent>(control, h.time(), events, true);
    };
    auto a = answer(h, "");
    auto log = h.stream(opening({{"ScheduledCallId", a.call.id}, {"Token", a.token}}), false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_THAT(events, ::testing::ElementsAre("start", "run", "end"));
    EXPECT_TRUE(h.store().call_logs().list({}).items.at(0).stream_ended_at);
}

TEST(StreamSession, AConnectionThatNeverStartsIsClosed) {
    auto options = CallHarness::default_options();
    options.limits.start_timeout = milliseconds(50);
    CallHarness h(options);
    auto log = h.stream({Send{twilio::to_json(twilio::Connected{}, 0, "")}}, false);
    EXPECT_TRUE(log->closed_by_session);
    EXPECT_EQ(log->close_reason, "no valid start in time");
}

}  // namespace
}  // namespace va::call::test
