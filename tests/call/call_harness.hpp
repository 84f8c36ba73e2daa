#pragma once
// The call endpoints in-process: a real SQLite store in a temp dir, simulated time, a fake TTS.
// Requests and sessions run on the harness's io_context, store calls included, so that a session
// runs from start to end on simulated time (support/simulated_run.hpp). Tests over real sockets
// ask for Store::on_threads: their io_context is their own.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "call/greeting_agent.hpp"
#include "call/incoming_webhook.hpp"
#include "call/session.hpp"
#include "call/stream_endpoint.hpp"
#include "core/time_format.hpp"
#include "fakes.hpp"
#include "outage_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/simulated_run.hpp"
#include "support/temp_dir.hpp"
#include "telephony/twilio/signature.hpp"

namespace va::call::test {

inline const core::TimePoint kNow = *core::parse_rfc3339("2026-11-25T12:00:00Z");
inline const std::string kPublicUrl = "https://va.example.com";
inline const std::string kToken = "auth-token-for-tests";
inline const std::string kCallSid = "CA0123456789abcdef0123456789abcdef";
inline const std::string kStreamSid = "MZ0123456789abcdef0123456789abcdef";
inline const std::string kAccount = "AC0123456789abcdef0123456789abcdef";

class CallHarness {
public:
    enum class Store { on_io, on_threads };

    explicit CallHarness(CallOptions options = default_options(), Store where = Store::on_io)
        : store_(std::make_unique<OutageStore>(store::sqlite::SqliteStore::open(dir_.file("calls.db")))),
          context_{*store_,
                   where == Store::on_io ? boost::asio::any_io_executor(io_.get_executor()) : pool_.get_executor(),
                   time_,
                   metrics_,
                   greetings_,
                   voices_,
                   [this](const CallInfo& info, CallControl& control) {
                       infos.push_back(info);
                       if (agent_factory) return agent_factory(info, control);
                       return make_greeting_agent(info, control, greetings_, voices_);
                   },
                   std::move(options)} {}

    static CallOptions default_options() {
        CallOptions o;
        o.public_url = kPublicUrl;
        o.auth_token = kToken;
        o.account_sid = kAccount;
        o.from_number = "+15005550006";
        return o;
    }

    store::Store& store() { return *store_; }
    // From now on every scheduled-call and call-log call throws store::Unavailable (an outage).
    void store_down() { store_->down = true; }
    // Waits for the store pool's threads to finish. An io_context that they post back to must
    // outlive them: a pool thread drops its copy of the caller's strand only after posting.
    void join_store_pool() { pool_.join(); }
    timing::SimulatedTime& time() { return time_; }
    FakeTts& tts() { return tts_; }
    GreetingCache& greetings() { return greetings_; }
    CallContext& context() { return context_; }
    core::MetricsRegistry& metrics() { return metrics_; }

    // A scheduled call for `numbers`, stored directly.
    store::ScheduledCall schedule(const std::vector<std::string>& numbers, const std::string& introduction = "Hi there",
                                  store::CallStatus status = store::CallStatus::in_progress,
                                  const std::vector<core::Variables>& variables = {}) {
        store::ScheduledCall call;
        call.id = "6566a1b2c3d4e5f607182930";
        call.id.back() = static_cast<char>('0' + next_call_++);
        call.to_phone_numbers = numbers;
        for (std::size_t i = 0; i < numbers.size(); ++i)
            call.recipients.push_back(store::new_recipient(numbers[i], kNow, i < variables.size() ? variables[i] : core::Variables{}));
        call.prompt_id = "6566a1b2c3d4e5f6071829ff";
        call.scheduled_date_time = kNow;
        call.status = status;
        call.content = "You remind people of their appointment.";
        call.introduction = introduction;
        call.created_at = call.updated_at = kNow;
        store_->scheduled_calls().create(call, std::nullopt);
        return call;
    }

    // Runs a handler and returns its answer.
    net::Response run(const net::Handler& handler, net::Request request) {
        std::optional<net::Response> out;
        boost::asio::co_spawn(io_, handler(std::move(request)), [&](std::exception_ptr e, net::Response r) {
            if (e) std::rethrow_exception(e);
            out = std::move(r);
        });
        EXPECT_TRUE(va::test::run_until(io_, time_, [&] { return out.has_value(); }));
        return std::move(*out);
    }

    // Twilio's voice webhook POST for `target`, signed with `token`.
    net::Response webhook(const std::string& target, const twilio::Params& form, const std::string& token = kToken,
                          const std::string& method = "POST") {
        net::Request request;
        request.method = method;
        net::set_target(request, target);
        if (method == "POST") request.body = twilio::encode_form(form);
        request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                           {"X-Twilio-Signature",
                            twilio::compute_signature(token, kPublicUrl + target, method == "POST" ? form : twilio::Params{})}};
        return run(incoming_webhook(context_), std::move(request));
    }

    // Plays `script` to a session as Twilio; returns what the session wrote back.
    std::shared_ptr<SocketLog> stream(std::vector<ScriptStep> script, bool close_at_end = true) {
        auto log = std::make_shared<SocketLog>();
        auto socket = std::make_unique<ScriptedSocket>(io_, time_, kStreamSid, std::move(script), log, close_at_end);
        bool finished = false;
        boost::asio::co_spawn(io_, run_stream_session(context_, std::move(socket)), [&](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
            finished = true;
        });
        EXPECT_TRUE(va::test::run_until(io_, time_, [&] { return finished; }));
        return log;
    }

    std::vector<CallInfo> infos;  // what each admitted stream's agent was made with
    AgentFactory agent_factory;   // unset: the greeting agent

private:
    va::test::TempDir dir_;
    std::unique_ptr<OutageStore> store_;
    boost::asio::io_context io_;
    timing::SimulatedTime time_{kNow};
    boost::asio::thread_pool pool_{2};
    core::MetricsRegistry metrics_;
    FakeTts tts_;
    GreetingCache greetings_{io_.get_executor()};
    OneVoice voices_{tts_};
    CallContext context_;
    int next_call_ = 0;
};

// Twilio's opening messages of a stream carrying `parameters`.
inline std::vector<ScriptStep> opening(const std::vector<std::pair<std::string, std::string>>& parameters,
                                      const std::string& call_sid = kCallSid, const std::string& account = kAccount) {
    twilio::Start start;
    start.stream_sid = kStreamSid;
    start.account_sid = account;
    start.call_sid = call_sid;
    start.custom_parameters = parameters;
    return {Send{twilio::to_json(twilio::Connected{}, 0, "")}, Send{twilio::to_json(start, 1, kStreamSid)}};
}

inline std::string media_message(std::uint64_t sequence, std::uint8_t code = 0xFF) {
    twilio::Media media;
    media.chunk = sequence;
    media.timestamp_ms = sequence * 20;
    media.payload.assign(160, code);
    return twilio::to_json(media, sequence, kStreamSid);
}

inline std::string stop_message(std::uint64_t sequence) {
    return twilio::to_json(twilio::Stop{kAccount, kCallSid}, sequence, kStreamSid);
}

// The session's outbound messages, parsed.
inline std::vector<twilio::OutboundMessage> parsed(const std::vector<std::string>& written) {
    std::vector<twilio::OutboundMessage> out;
    for (const auto& text : written) {
        auto p = twilio::parse_outbound(text);
        if (auto* ok = std::get_if<twilio::ParsedOutbound>(&p)) out.push_back(ok->message);
    }
    return out;
}

inline std::size_t audio_bytes(const std::vector<std::string>& written) {
    std::size_t n = 0;
    for (const auto& m : parsed(written)) {
        if (auto* media = std::get_if<twilio::OutboundMedia>(&m)) n += media->payload.size();
    }
    return n;
}

}  // namespace va::call::test
