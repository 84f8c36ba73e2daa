// Speech recognition as a coroutine awaits it: the engine's callbacks, which run on its own
// threads, reach the caller through an inbox (engine/inbox.hpp).
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "speech/stt.hpp"

namespace va::speech {

namespace asio = boost::asio;

Recognition::Recognition(SpeechToText& engine, asio::any_io_executor executor, SttOptions options)
    : words_(std::move(executor)) {
    session_ = engine.open({nullptr,
                            [send = words_.sender(), name = engine.name()](std::string text, std::string error) {
                                if (error.empty()) return send(std::move(text));
                                spdlog::warn("speech recognition ({}) failed: {}", name, error);
                                send(engine::Result<std::string>(engine::Errc::failed));
                            }},
                           std::move(options));
}

asio::awaitable<engine::Result<std::string>> Recognition::next() { return words_.receive(); }

}  // namespace va::speech
