#include "call/greeting_cache.hpp"

#include <functional>
#include <list>
#include <map>
#include <mutex>

#include "engine/inbox.hpp"
#include "media/mulaw.hpp"
#include "net/spawn.hpp"

namespace va::call {

using Waiter = std::function<void(engine::Result<GreetingCache::Audio>)>;

struct GreetingCache::State {
    struct Entry {
        Audio audio;  // null while synthesising
        std::vector<Waiter> waiters;
        std::list<std::string>::iterator recent;  // position in `recent` (ready entries only)
    };

    State(boost::asio::any_io_executor ex, std::size_t cap, std::size_t byte_cap)
        : executor(std::move(ex)), capacity(cap), max_bytes(byte_cap) {}

    // The audio when it is ready; otherwise joins or starts its synthesis (then `waiter` hears).
    Audio lookup(std::shared_ptr<State> self, speech::TextToSpeech& voice, const std::string& text, Waiter waiter) {
        const std::string key = voice.name() + '\n' + text;
        std::unique_lock lock(mutex);
        auto it = entries.find(key);
        if (it != entries.end() && it->second.audio) {
            recent.splice(recent.begin(), recent, it->second.recent);
            return it->second.audio;
        }
        if (it != entries.end()) {  // under way
            if (waiter) it->second.waiters.push_back(std::move(waiter));
            return nullptr;
        }
        Entry entry;
        if (waiter) entry.waiters.push_back(std::move(waiter));
        entries.emplace(key, std::move(entry));
        ++syntheses;
        lock.unlock();
        net::spawn_logged(executor, synthesize(std::move(self), voice, key, text), "greeting synthesis");
        return nullptr;
    }

    static boost::asio::awaitable<void> synthesize(std::shared_ptr<State> self, speech::TextToSpeech& voice,
                                                   std::string key, std::string text) {
        std::vector<std::int16_t> pcm;
        auto spoken = co_await voice.synthesize(std::move(text), [&pcm](std::vector<std::int16_t> chunk) {
            pcm.insert(pcm.end(), chunk.begin(), chunk.end());
        });
        if (!spoken) {
            self->finished(key, spoken.error());
            co_return;
        }
        self->finished(key, std::make_shared<const std::vector<std::uint8_t>>(media::encode_mulaw(pcm)));
    }

    void finished(const std::string& key, engine::Result<Audio> outcome) {
        std::vector<Waiter> waiters;
        {
            std::lock_guard lock(mutex);
            auto it = entries.find(key);
            if (it == entries.end()) return;
            waiters = std::move(it->second.waiters);
            if (!outcome) {
                entries.erase(it);
            } else {
                it->second.audio = *outcome;
                bytes += (*outcome)->size();
                recent.push_front(key);
                it->second.recent = recent.begin();
                while (recent.size() > capacity || (bytes > max_bytes && recent.size() > 1)) {
                    auto oldest = entries.find(recent.back());
                    bytes -= oldest->second.audio->size();
                    entries.erase(oldest);
                    recent.pop_back();
                }
            }
        }
        for (auto& waiter : waiters) waiter(outcome);
    }

    const boost::asio::any_io_executor executor;
    const std::size_t capacity;
    const std::size_t max_bytes;
    std::mutex mutex;
    std::map<std::string, Entry> entries;  // by voice name and text
    std::list<std::string> recent;         // ready keys, most recently used first
    std::uint64_t syntheses = 0;
    std::size_t bytes = 0;  // of the ready entries' audio
};

GreetingCache::GreetingCache(boost::asio::any_io_executor executor, std::size_t capacity, std::size_t max_bytes)
    : state_(std::make_shared<State>(std::move(executor), std::max<std::size_t>(1, capacity), max_bytes)) {}

GreetingCache::~GreetingCache() = default;

boost::asio::awaitable<engine::Result<GreetingCache::Audio>> GreetingCache::fetch(speech::TextToSpeech& voice,
                                                                                 std::string text) {
    engine::Inbox<engine::Result<Audio>> inbox(co_await boost::asio::this_coro::executor);
    if (auto audio = state_->lookup(state_, voice, text, inbox.sender())) co_return audio;
    co_return co_await inbox.receive();
}

void GreetingCache::warm(speech::TextToSpeech& voice, const std::string& text) {
    state_->lookup(state_, voice, text, nullptr);
}

std::uint64_t GreetingCache::syntheses() const {
    std::lock_guard lock(state_->mutex);
    return state_->syntheses;
}

}  // namespace va::call
