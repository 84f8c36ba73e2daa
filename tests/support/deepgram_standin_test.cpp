// The Deepgram stand-in's listening mode on the wire, through a bare WebSocket: each word's
// interim no sooner than word_lag after its audio, the phrase's endpointed final with its words
// and their times in seconds of the stream, each Finalize's answer (no sooner than finalize_lag)
// with where its audio began and ended, then Metadata and the close after CloseStream.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "net/websocket.hpp"
#include "support/deepgram_standin.hpp"
#include "support/spoken_phrase.hpp"

namespace va::test {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kPatience = 20s;
constexpr auto kWordLag = 200ms;
constexpr auto kFinalizeLag = 100ms;

struct Received {
    json::object message;
    Clock::time_point at{};
};

struct Conversation {
    std::vector<Received> first;   // after the first utterance (no phrase in it) and its Finalize
    std::vector<Received> second;  // while the second one (the phrase) comes, up to its final
    std::vector<Received> third;   // after its Finalize
    std::vector<Received> last;    // after CloseStream, until the close
    Clock::time_point second_sent{};
    Clock::time_point second_finalized{};
    bool closed = false;
};

bool flag(const json::object& message, const char* name) {
    const auto* value = message.if_contains(name);
    return value && value->is_bool() && value->as_bool();
}

std::string mulaw(const std::vector<std::int16_t>& pcm) {
    const auto codes = media::encode_mulaw(pcm);
    return std::string(codes.begin(), codes.end());
}

// Messages until one with `until` set (nullptr: until the connection closes); false if it closed first.
asio::awaitable<bool> read_until(net::WebSocket& ws, std::vector<Received>& into, const char* until) {
    while (true) {
        auto message = co_await ws.read();
        if (!message) co_return until == nullptr;
        auto value = json::parse(message->data);
        into.push_back({value.as_object(), Clock::now()});
        if (until && flag(into.back().message, until)) co_return true;
    }
}

asio::awaitable<void> converse(std::string url, std::vector<std::int16_t> nothing, std::vector<std::int16_t> phrase,
                               Conversation& out) {
    auto executor = co_await asio::this_coro::executor;
    auto target = url + "/v1/listen?encoding=mulaw&sample_rate=8000";
    net::Fields headers;
    auto connected = co_await net::connect_websocket(executor, std::move(target), std::move(headers));
    if (!connected.socket) co_return;
    auto& ws = *connected.socket;
    const std::string finalize = R"({"type":"Finalize"})";
    co_await ws.write_binary(mulaw(nothing));
    co_await ws.write_text(finalize);
    if (!co_await read_until(ws, out.first, "from_finalize")) co_return;
    out.second_sent = Clock::now();
    co_await ws.write_binary(mulaw(phrase));  // all at once: every word's audio is there at once
    if (!co_await read_until(ws, out.second, "is_final")) co_return;
    out.second_finalized = Clock::now();
    co_await ws.write_text(finalize);
    if (!co_await read_until(ws, out.third, "from_finalize")) co_return;
    co_await ws.write_text(R"({"type":"CloseStream"})");
    out.closed = co_await read_until(ws, out.last, nullptr);
}

std::string transcript(const json::object& results) {
    return std::string(results.at("channel").at("alternatives").at(0).at("transcript").as_string());
}
double number(const json::object& message, const char* name) { return message.at(name).to_number<double>(); }

TEST(DeepgramStandinListening, SendsEachWordThenThePhraseThenEachFinalizesAnswer) {
    DeepgramStandinScript script;
    script.phrases = {spoken_phrase("yes that works"), spoken_phrase("uh huh")};
    script.word_lag = kWordLag;
    script.finalize_lag = kFinalizeLag;
    const auto phrase = script.phrases[0];
    DeepgramStandin standin(script);

    const std::vector<std::int16_t> nothing(1600, 0);  // 0.2 s of silence: the stream's first utterance
    std::vector<std::int16_t> said(800, 0);             // then 0.1 s of silence, the phrase, 0.1 s more
    said.insert(said.end(), phrase.pcm.begin(), phrase.pcm.end());
    said.resize((said.size() + 159) / 160 * 160 + 800, 0);
    Conversation got;
    asio::io_context io;
    asio::co_spawn(io, converse(standin.base_url(), nothing, said, got), asio::detached);
    io.run_for(kPatience);
    ASSERT_TRUE(got.closed);

    // Nothing heard: an empty final covering the utterance's 0.2 s.
    ASSERT_EQ(got.first.size(), 1u);
    EXPECT_EQ(transcript(got.first[0].message), "");
    EXPECT_TRUE(flag(got.first[0].message, "is_final"));
    EXPECT_DOUBLE_EQ(number(got.first[0].message, "start"), 0.0);
    EXPECT_DOUBLE_EQ(number(got.first[0].message, "duration"), 0.2);

    // Word by word, each no sooner than word_lag after its audio came, then the phrase's final.
    ASSERT_EQ(got.second.size(), 3u);
    EXPECT_EQ(transcript(got.second[0].message), "yes");
    EXPECT_EQ(transcript(got.second[1].message), "yes that");
    EXPECT_EQ(transcript(got.second[2].message), "yes that works");
    EXPECT_GE(got.second[0].at - got.second_sent, kWordLag);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_FALSE(flag(got.second[i].message, "is_final"));
        EXPECT_DOUBLE_EQ(number(got.second[i].message, "start"), 0.2);
    }
    const auto& endpointed = got.second[2].message;
    EXPECT_TRUE(flag(endpointed, "is_final"));
    EXPECT_TRUE(flag(endpointed, "speech_final"));
    EXPECT_FALSE(flag(endpointed, "from_finalize"));
    const auto& words = endpointed.at("channel").at("alternatives").at(0).at("words").as_array();
    ASSERT_EQ(words.size(), 3u);
    const double utterance = 0.2;  // where the phrase's utterance began in the stream
    for (std::size_t k = 0; k < 3; ++k) {
        const auto& word = words[k].as_object();
        EXPECT_EQ(word.at("word").as_string(), phrase.words[k].text);
        const double end = utterance + (800 + static_cast<double>(phrase.words[k].end.count()) * 8) / 8000;
        EXPECT_NEAR(word.at("end").to_number<double>(), end, 1e-9);
        EXPECT_LT(word.at("start").to_number<double>(), word.at("end").to_number<double>());
        EXPECT_GE(word.at("confidence").to_number<double>(), 0.0);
    }
    const double works_end = words[2].at("end").to_number<double>();
    EXPECT_DOUBLE_EQ(number(endpointed, "start"), 0.2);
    EXPECT_NEAR(number(endpointed, "duration"), works_end - 0.2, 1e-9);

    // The Finalize's answer: nothing left, covering the rest of the utterance's audio.
    ASSERT_EQ(got.third.size(), 1u);
    EXPECT_EQ(transcript(got.third[0].message), "");
    EXPECT_GE(got.third[0].at - got.second_finalized, kFinalizeLag);
    EXPECT_NEAR(number(got.third[0].message, "start"), works_end, 1e-9);
    EXPECT_NEAR(number(got.third[0].message, "start") + number(got.third[0].message, "duration"),
                utterance + static_cast<double>(said.size()) / 8000, 1e-9);

    ASSERT_EQ(got.last.size(), 1u);
    EXPECT_EQ(got.last[0].message.at("type").as_string(), "Metadata");
    ASSERT_TRUE(standin.wait([](const DeepgramStandinLog& log) { return log.disconnects == 1; }, kPatience));
    const auto log = standin.log();
    EXPECT_EQ(log.spotted, std::vector<std::string>{"yes that works"});
    EXPECT_EQ(log.controls, (std::vector<std::string>{"Finalize", "Finalize", "CloseStream"}));
}

}  // namespace
}  // namespace va::test
