#include "call/greeting_cache.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"

namespace va::call::test {
namespace {

// Holds every synthesis until the test finishes it, so requests can overlap.
class DeferredTts final : public speech::TextToSpeech {
public:
    std::shared_ptr<speech::TtsStream> speak(std::string text, speech::TtsCallbacks callbacks) override {
        pending.push_back({std::move(text), std::move(callbacks)});
        return nullptr;
    }
    std::string name() const override { return "deferred"; }
    void finish(std::size_t i, const std::string& error = "") {
        if (error.empty()) pending[i].second.on_audio(std::vector<std::int16_t>(80, 0));
        pending[i].second.on_done(error);
    }
    std::vector<std::pair<std::string, speech::TtsCallbacks>> pending;
};

struct Result {
    int calls = 0;
    GreetingCache::Audio audio;
    std::string error;
};

GreetingCache::Done into(Result& r) {
    return [&r](GreetingCache::Audio audio, const std::string& error) {
        ++r.calls;
        r.audio = std::move(audio);
        r.error = error;
    };
}

TEST(GreetingCache, OneSynthesisServesEveryRecipient) {
    FakeTts tts;
    GreetingCache cache;
    std::vector<Result> results(5);
    for (auto& r : results) cache.get(tts, "Hello Ada", into(r));
    EXPECT_EQ(tts.calls, 1);
    EXPECT_EQ(cache.syntheses(), 1u);
    for (auto& r : results) {
        EXPECT_EQ(r.calls, 1);
        ASSERT_TRUE(r.audio);
        EXPECT_EQ(r.audio->size(), 9u * 800) << "μ-law, one byte per 8 kHz sample";
        EXPECT_EQ(r.audio, results[0].audio) << "the same audio, not a copy";
    }
}

TEST(GreetingCache, RequestsDuringASynthesisWaitForIt) {
    DeferredTts tts;
    GreetingCache cache;
    Result a, b;
    cache.warm(tts, "Hello");
    cache.get(tts, "Hello", into(a));
    cache.get(tts, "Hello", into(b));
    ASSERT_EQ(tts.pending.size(), 1u);
    EXPECT_EQ(a.calls + b.calls, 0);
    tts.finish(0);
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(b.calls, 1);
    ASSERT_TRUE(a.audio);
    EXPECT_EQ(a.audio->size(), 80u);
}

TEST(GreetingCache, AFailureReachesTheWaitersAndIsNotKept) {
    DeferredTts tts;
    GreetingCache cache;
    Result a;
    cache.get(tts, "Hello", into(a));
    tts.finish(0, "espeak-ng cannot load voice 'xx'");
    EXPECT_EQ(a.calls, 1);
    EXPECT_FALSE(a.audio);
    EXPECT_EQ(a.error, "espeak-ng cannot load voice 'xx'");
    Result b;
    cache.get(tts, "Hello", into(b));
    EXPECT_EQ(tts.pending.size(), 2u) << "tried again";
}

TEST(GreetingCache, DropsTheLeastRecentlyUsedBeyondItsCapacity) {
    FakeTts tts;
    GreetingCache cache(2);
    Result r;
    cache.get(tts, "one", into(r));
    cache.get(tts, "two", into(r));
    cache.get(tts, "one", into(r));    // "two" is now the least recent
    cache.get(tts, "three", into(r));  // evicts "two"
    EXPECT_EQ(tts.calls, 3);
    cache.get(tts, "one", into(r));
    EXPECT_EQ(tts.calls, 3);
    cache.get(tts, "two", into(r));
    EXPECT_EQ(tts.calls, 4);
}

TEST(GreetingCache, EachVoiceHasItsOwnGreeting) {
    FakeTts tts;
    DeferredTts other;
    GreetingCache cache;
    Result a, b;
    cache.get(tts, "Hello", into(a));
    cache.get(other, "Hello", into(b));
    EXPECT_EQ(tts.calls, 1);
    ASSERT_EQ(other.pending.size(), 1u) << "the same text in another voice is another synthesis";
    EXPECT_EQ(b.calls, 0);
    other.finish(0);
    ASSERT_TRUE(a.audio && b.audio);
    EXPECT_NE(a.audio->size(), b.audio->size());
}

TEST(GreetingCache, ASynthesisFinishingAfterTheCacheIsGoneIsHarmless) {
    DeferredTts tts;
    Result r;
    {
        GreetingCache cache;
        cache.get(tts, "Hello", into(r));
    }
    tts.finish(0);
    EXPECT_EQ(r.calls, 1);
}

}  // namespace
}  // namespace va::call::test
