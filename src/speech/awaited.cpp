// Speech synthesis as a coroutine awaits it: the engine's callbacks, which run on its own thread,
// reach the caller through an inbox (engine/inbox.hpp).
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "speech/tts.hpp"

namespace va::speech {

namespace asio = boost::asio;

namespace {

struct Synthesised {
    std::vector<std::int16_t> chunk;
    std::optional<std::string> done;  // set last: "" when spoken in full, else what failed
};

}  // namespace

asio::awaitable<engine::Result<void>> synthesize(TextToSpeech& voice, std::string text,
                                                 std::function<void(std::vector<std::int16_t>)> on_audio) {
    engine::Inbox<Synthesised> inbox(co_await asio::this_coro::executor);
    auto send = inbox.sender();
    engine::CancelUnlessDone<TtsStream> guard{voice.speak(std::move(text), {[send](std::vector<std::int16_t> chunk) {
                                                          send({std::move(chunk), std::nullopt});
                                                      },
                                                      [send](std::string error) { send({{}, std::move(error)}); }})};
    for (;;) {
        auto event = co_await inbox.receive();
        if (!event.done) {
            on_audio(std::move(event.chunk));
            continue;
        }
        guard.done = true;
        if (event.done->empty()) co_return engine::Result<void>{};
        spdlog::warn("speech synthesis ({}) failed: {}", voice.name(), *event.done);
        co_return engine::Result<void>(engine::Errc::failed);
    }
}

}  // namespace va::speech
