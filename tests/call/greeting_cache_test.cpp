#include "call/greeting_cache.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "engine/inbox.hpp"
#include "fakes.hpp"
#include "support/simulated_run.hpp"

namespace va::call::test {
namespace {

namespace asio = boost::asio;

// Holds every synthesis until the test finishes it, so requests can overlap.
class DeferredTts final : public speech::TextToSpeech {
public:
    explicit DeferredTts(asio::io_context& io) : io_(io) {}
    asio::awaitable<engine::Result<void>> synthesize(std::string text, speech::AudioSink on_audio) override {
        engine::Inbox<bool> outcome(io_.get_executor());
        texts.push_back(std::move(text));
        finishers.push_back(outcome.sender());
        if (!co_await outcome.receive()) co_return engine::Result<void>(engine::Errc::failed);
        on_audio(std::vector<std::int16_t>(80, 0));
        co_return engine::Result<void>{};
    }
    std::string name() const override { return "deferred"; }
    void finish(std::size_t i, bool ok = true) {
        finishers.at(i)(ok);
        va::test::settle(io_);
    }
    std::vector<std::string> texts;
    std::vector<std::function<void(bool)>> finishers;

private:
    asio::io_context& io_;
};

struct Fetched {
    int calls = 0;
    engine::Result<GreetingCache::Audio> audio{GreetingCache::Audio{}};
};

class GreetingCacheTest : public ::testing::Test {
protected:
    // Asks for a greeting the way a call does; `into` hears once it is there.
    void fetch(speech::TextToSpeech& voice, std::string text, Fetched& into, GreetingCache* cache = nullptr) {
        auto& from = cache ? *cache : cache_;
        asio::co_spawn(io_, from.fetch(voice, std::move(text)),
                       [&into](std::exception_ptr error, engine::Result<GreetingCache::Audio> audio) {
                           ASSERT_FALSE(error);
                           ++into.calls;
                           into.audio = std::move(audio);
                       });
        va::test::settle(io_);
    }

    asio::io_context io_;
    GreetingCache cache_{io_.get_executor()};
};

TEST_F(GreetingCacheTest, OneSynthesisServesEveryRecipient) {
    FakeTts tts;
    std::vector<Fetched> results(5);
    for (auto& r : results) fetch(tts, "Hello Ada", r);
    EXPECT_EQ(tts.calls, 1);
    EXPECT_EQ(cache_.syntheses(), 1u);
    for (auto& r : results) {
        EXPECT_EQ(r.calls, 1);
        ASSERT_TRUE(r.audio && *r.audio);
        EXPECT_EQ((*r.audio)->size(), 9u * 800) << "μ-law, one byte per 8 kHz sample";
        EXPECT_EQ(*r.audio, *results[0].audio) << "the same audio, not a copy";
    }
}

TEST_F(GreetingCacheTest, RequestsDuringASynthesisWaitForIt) {
    DeferredTts tts(io_);
    Fetched a, b;
    cache_.warm(tts, "Hello");
    fetch(tts, "Hello", a);
    fetch(tts, "Hello", b);
    ASSERT_EQ(tts.texts.size(), 1u);
    EXPECT_EQ(a.calls + b.calls, 0);
    tts.finish(0);
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(b.calls, 1);
    ASSERT_TRUE(a.audio && *a.audio);
    EXPECT_EQ((*a.audio)->size(), 80u);
}

TEST_F(GreetingCacheTest, AFailureReachesTheWaitersAndIsNotKept) {
    DeferredTts tts(io_);
    Fetched a;
    fetch(tts, "Hello", a);
    tts.finish(0, false);
    EXPECT_EQ(a.calls, 1);
    ASSERT_FALSE(a.audio);
    EXPECT_EQ(a.audio.error(), engine::Errc::failed);
    Fetched b;
    fetch(tts, "Hello", b);
    EXPECT_EQ(tts.texts.size(), 2u) << "tried again";
}

TEST_F(GreetingCacheTest, DropsTheLeastRecentlyUsedBeyondItsCapacity) {
    FakeTts tts;
    GreetingCache cache(io_.get_executor(), 2);
    Fetched r;
    fetch(tts, "one", r, &cache);
    fetch(tts, "two", r, &cache);
    fetch(tts, "one", r, &cache);    // "two" is now the least recent
    fetch(tts, "three", r, &cache);  // evicts "two"
    EXPECT_EQ(tts.calls, 3);
    fetch(tts, "one", r, &cache);
    EXPECT_EQ(tts.calls, 3);
    fetch(tts, "two", r, &cache);
    EXPECT_EQ(tts.calls, 4);
}

TEST_F(GreetingCacheTest, DropsTheLeastRecentlyUsedBeyondItsByteCap) {
    FakeTts tts;  // 100 ms a character: 800 bytes of μ-law
    GreetingCache cache(io_.get_executor(), 512, 5000);
    Fetched r;
    fetch(tts, "one", r, &cache);  // 2,400 bytes
    fetch(tts, "two", r, &cache);  // 4,800 in all
    fetch(tts, "one", r, &cache);
    EXPECT_EQ(tts.calls, 2);
    fetch(tts, "three", r, &cache);  // 8,800: "two", then "one" go
    EXPECT_EQ(tts.calls, 3);
    fetch(tts, "three", r, &cache);
    EXPECT_EQ(tts.calls, 3);
    fetch(tts, "one", r, &cache);
    EXPECT_EQ(tts.calls, 4);
    // One greeting over the cap is still kept (the newest always is) and served.
    GreetingCache tiny(io_.get_executor(), 512, 100);
    fetch(tts, "long one", r, &tiny);
    fetch(tts, "long one", r, &tiny);
    EXPECT_EQ(tts.calls, 5);
    ASSERT_TRUE(r.audio);
    EXPECT_EQ((*r.audio)->size(), 8u * 800);
}

TEST_F(GreetingCacheTest, EachVoiceHasItsOwnGreeting) {
    FakeTts tts;
    DeferredTts other(io_);
    Fetched a, b;
    fetch(tts, "Hello", a);
    fetch(other, "Hello", b);
    EXPECT_EQ(tts.calls, 1);
    ASSERT_EQ(other.texts.size(), 1u) << "the same text in another voice is another synthesis";
    EXPECT_EQ(b.calls, 0);
    other.finish(0);
    ASSERT_TRUE(a.audio && *a.audio && b.audio && *b.audio);
    EXPECT_NE((*a.audio)->size(), (*b.audio)->size());
}

TEST_F(GreetingCacheTest, ASynthesisFinishingAfterTheCacheIsGoneIsHarmless) {
    DeferredTts tts(io_);
    Fetched r;
    {
        GreetingCache cache(io_.get_executor());
        fetch(tts, "Hello", r, &cache);
    }
    tts.finish(0);
    EXPECT_EQ(r.calls, 1);
    ASSERT_TRUE(r.audio && *r.audio);
}

TEST_F(GreetingCacheTest, AWaiterThatLeavesDoesNotStopTheSynthesisForTheOthers) {
    DeferredTts tts(io_);
    asio::cancellation_signal leave;
    bool left = false;
    asio::co_spawn(io_, cache_.fetch(tts, "Hello"),
                   asio::bind_cancellation_slot(leave.slot(), [&](std::exception_ptr error, auto) { left = error != nullptr; }));
    va::test::settle(io_);
    leave.emit(asio::cancellation_type::terminal);
    va::test::settle(io_);
    EXPECT_TRUE(left) << "the call that asked has gone";
    Fetched later;
    fetch(tts, "Hello", later);
    tts.finish(0);
    EXPECT_EQ(tts.texts.size(), 1u);
    ASSERT_TRUE(later.audio && *later.audio) << "the synthesis went on for the next call";
}

}  // namespace
}  // namespace va::call::test
