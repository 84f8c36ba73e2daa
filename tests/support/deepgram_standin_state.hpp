#pragma once
// What the Deepgram stand-in's parts share (internal to deepgram_standin*.cpp): the state behind
// its mutex, and the listening mode's connection (deepgram_standin_listening.cpp).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "net/websocket.hpp"
#include "support/deepgram_standin.hpp"
#include "support/phrase_spotter.hpp"

namespace va::test {

struct DeepgramStandin::State {
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    DeepgramStandinScript script;
    DeepgramStandinLog log;
    // Listening mode: the phrasebook prepared once, for every connection (null: scripted mode).
    std::shared_ptr<const Phrasebook> phrasebook;

    template <typename F>
    auto update(F&& f) {
        std::lock_guard lock(mutex);
        changed.notify_all();
        return f(script, log);
    }
};

// The "type" of a client's text message ("<not json>", "<no type>" when it has none).
std::string message_type(const std::string& text);

// One connection in the listening mode, until it closes.
boost::asio::awaitable<void> listening_session(std::shared_ptr<DeepgramStandin::State> state,
                                               std::unique_ptr<net::WebSocket> socket);

}  // namespace va::test
