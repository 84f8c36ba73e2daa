#pragma once
// A stand-in for our server, as Twilio sees it: a voice webhook that answers TwiML, a Media
// Streams WebSocket endpoint, and a status-callback endpoint. It checks every signature and
// records what arrived, so tests can assert on what the simulator sent.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/metrics.hpp"
#include "net/server.hpp"
#include "telephony/twilio/form.hpp"
#include "telephony/twilio/stream_message.hpp"

namespace va::sim::test {

struct AgentBehaviour {
    int greeting_ms = 400;       // audio sent at "start", followed by mark "greeting"
    bool clear_on_speech = false;  // send "clear" when callee speech arrives while the greeting plays
    bool close_after_greeting = false;  // close the socket once the greeting mark comes back
    int reply_ms = 0;  // > 0: once, 200 ms after the callee stops speaking, answer with this much audio
    std::string twiml;           // the voice webhook's answer; empty = <Connect><Stream> to us
};

class FakeAgent {
public:
    FakeAgent(boost::asio::io_context& io, std::string auth_token, AgentBehaviour behaviour = {});
    ~FakeAgent();
    std::string base_url() const { return base_url_; }

    struct Log {
        std::vector<twilio::Params> voice_requests;
        std::vector<twilio::Params> status_callbacks;
        std::vector<std::string> stream_events;  // "connected", "start", "media", "dtmf:1", "mark:greeting", "stop"
        std::vector<twilio::Start> starts;
        int bad_signatures = 0;
        int speech_frames = 0;  // media frames holding something other than line silence
        bool stream_closed = false;
        std::string upgrade_signature;
    };
    // Waits (without sleeping) until `done(log)` holds; false after the timeout.
    bool wait(const std::function<bool(const Log&)>& done, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    Log snapshot() const;

    struct Shared;

private:
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<net::HttpServer> server_;
    core::MetricsRegistry metrics_;
    std::string base_url_;
};

}  // namespace va::sim::test
