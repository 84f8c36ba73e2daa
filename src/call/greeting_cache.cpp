#include "call/greeting_cache.hpp"

#include <list>
#include <map>
#include <mutex>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "media/mulaw.hpp"

namespace va::call {

struct GreetingCache::State {
    struct Entry {
        Audio audio;  // null while synthesising
        std::vector<Done> waiters;
        std::list<std::string>::iterator recent;  // position in `recent` (ready entries only)
    };

    explicit State(std::size_t cap) : capacity(cap) {}

    void finished(const std::string& key, Audio audio, const std::string& error) {
        std::vector<Done> waiters;
        {
            std::lock_guard lock(mutex);
            auto it = entries.find(key);
            if (it == entries.end()) return;
            waiters = std::move(it->second.waiters);
            if (!audio) {
                entries.erase(it);
            } else {
                it->second.audio = audio;
                recent.push_front(key);
                it->second.recent = recent.begin();
                while (recent.size() > capacity) {
                    entries.erase(recent.back());
                    recent.pop_back();
                }
            }
        }
        for (auto& done : waiters) done(audio, error);
    }

    const std::size_t capacity;
    std::mutex mutex;
    std::map<std::string, Entry> entries;  // by voice name and text
    std::list<std::string> recent;         // ready keys, most recently used first
    std::uint64_t syntheses = 0;
};

GreetingCache::GreetingCache(std::size_t capacity)
    : state_(std::make_shared<State>(std::max<std::size_t>(1, capacity))) {}

GreetingCache::~GreetingCache() = default;

void GreetingCache::get(speech::TextToSpeech& voice, const std::string& text, Done done) {
    const std::string key = voice.name() + '\n' + text;
    std::unique_lock lock(state_->mutex);
    auto& entries = state_->entries;
    auto it = entries.find(key);
    if (it != entries.end() && it->second.audio) {
        state_->recent.splice(state_->recent.begin(), state_->recent, it->second.recent);
        auto audio = it->second.audio;
        lock.unlock();  // `done` may come straight back here
        if (done) done(std::move(audio), "");
        return;
    }
    if (it != entries.end()) {  // under way
        if (done) it->second.waiters.push_back(std::move(done));
        return;
    }
    State::Entry entry;
    if (done) entry.waiters.push_back(std::move(done));
    entries.emplace(key, std::move(entry));
    ++state_->syntheses;
    lock.unlock();

    auto pcm = std::make_shared<std::vector<std::int16_t>>();
    voice.speak(text, {[pcm](std::vector<std::int16_t> chunk) { pcm->insert(pcm->end(), chunk.begin(), chunk.end()); },
                       [state = state_, key, pcm](std::string error) {
                           Audio audio;
                           if (error.empty()) audio = std::make_shared<const std::vector<std::uint8_t>>(media::encode_mulaw(*pcm));
                           state->finished(key, std::move(audio), error);
                       }});
}

boost::asio::awaitable<engine::Result<GreetingCache::Audio>> GreetingCache::fetch(speech::TextToSpeech& voice,
                                                                                 std::string text) {
    engine::Inbox<engine::Result<Audio>> inbox(co_await boost::asio::this_coro::executor);
    get(voice, text, [send = inbox.sender(), name = voice.name()](Audio audio, const std::string& error) {
        if (audio) return send(std::move(audio));
        spdlog::error("the greeting cannot be synthesised ({}): {}", name, error);
        send(engine::Result<Audio>(engine::Errc::failed));
    });
    co_return co_await inbox.receive();
}

std::uint64_t GreetingCache::syntheses() const {
    std::lock_guard lock(state_->mutex);
    return state_->syntheses;
}

}  // namespace va::call
