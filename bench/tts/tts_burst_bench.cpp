// Many answers due at one instant (issue 21): N answers' first sentences come from the model in
// the same moment, as when N callees stop talking together, and are spoken as the conversation
// speaks them (cut into pieces by its SentenceSplitter). For each, the time from that instant to
// its first chunk of audio: the queue a callee hears as silence. One synthesis thread in the process (workers=0), or a pool of worker processes
// (serve's --tts-workers), which this program starts as copies of itself.
//
//   tts_burst_bench [answers=40] [workers=0] [voice=espeak:en-us] [rounds=5]
//   tts_burst_bench worker <voice>   (what the pool starts)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "conversation/sentences.hpp"
#include "speech/tts.hpp"
#include "speech/tts_worker.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Typical first sentences of an answer, a little different from each other.
const char* const kSentences[] = {
    "Sure, I can move your appointment to Thursday at three.",
    "Of course, let me find a time that works for you.",
    "Thank you, I have noted that you will come on Monday.",
    "I am sorry to hear that, we can look at next week instead.",
};

struct Burst {
    explicit Burst(std::size_t answers) : first_ms(answers, -1.0) {}
    Clock::time_point start;
    std::vector<double> first_ms;  // per answer; < 0 until its first chunk
    // Per answer, how long its first piece's audio lasts and when its second piece's first chunk
    // came: a second piece later than the first one's end is a gap the callee hears.
    std::vector<double> opening_ms = std::vector<double>(first_ms.size(), 0.0);
    std::vector<double> second_ms = std::vector<double>(first_ms.size(), -1.0);
    std::size_t done = 0;
    std::promise<void> all_done;
};

// Spoken as the conversation speaks an answer: piece by piece (its opening first), each piece
// handed to the TTS when the one before has been synthesised.
asio::awaitable<void> answer(va::speech::TextToSpeech& tts, Burst& burst, std::size_t i) {
    va::conversation::SentenceSplitter splitter;
    auto pieces = splitter.push(kSentences[i % std::size(kSentences)]);
    for (auto& rest : splitter.flush()) pieces.push_back(std::move(rest));
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        auto spoken = co_await tts.synthesize(std::move(pieces[k]), [&burst, i, k](std::vector<std::int16_t> chunk) {
            const double now = std::chrono::duration<double, std::milli>(Clock::now() - burst.start).count();
            if (chunk.empty()) return;
            if (burst.first_ms[i] < 0) burst.first_ms[i] = now;
            if (k == 0) burst.opening_ms[i] += static_cast<double>(chunk.size()) / 8.0;
            if (k == 1 && burst.second_ms[i] < 0) burst.second_ms[i] = now;
        });
        if (!spoken) std::fprintf(stderr, "synthesis failed: %s\n", spoken.error().message().c_str());
    }
    if (++burst.done == burst.first_ms.size()) burst.all_done.set_value();
}

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "worker") {
        const auto voice = va::speech::parse_voice(argv[2]);
        return voice ? va::speech::run_tts_worker(*voice, 0, 1) : 2;
    }
    const std::size_t answers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 40;
    const unsigned workers = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 0;
    const std::string voice_name = argc > 3 ? argv[3] : "espeak:en-us";
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
    const auto voice = va::speech::parse_voice(voice_name);
    if (!voice || answers == 0 || rounds <= 0) {
        std::fprintf(stderr, "usage: tts_burst_bench [answers=40] [workers=0] [voice=espeak:en-us] [rounds=5]\n");
        return 2;
    }
    va::speech::TtsWorkers pool{workers, {}};
    if (workers > 0) pool.command = {"/proc/self/exe", "worker", voice_name};
    auto tts = va::speech::make_offline_tts(*voice, pool);

    asio::io_context io;  // serve's network thread: the answers' coroutines
    auto guard = asio::make_work_guard(io);
    std::thread network([&io] { io.run(); });
    // A warm-up round: the voice loaded, the workers started and each through one sentence.
    std::vector<double> all;
    double worst_gap = 0;  // ms
    int gaps = 0;
    for (int round = 0; round <= rounds; ++round) {
        Burst burst(answers);
        auto finished = burst.all_done.get_future();
        asio::post(io, [&] {
            burst.start = Clock::now();  // every answer starts in this one moment
            for (std::size_t i = 0; i < answers; ++i) asio::co_spawn(io, answer(*tts, burst, i), asio::detached);
        });
        finished.wait();
        if (round == 0) continue;
        all.insert(all.end(), burst.first_ms.begin(), burst.first_ms.end());
        for (std::size_t i = 0; i < answers; ++i) {
            if (burst.second_ms[i] < 0) continue;
            const double gap = burst.second_ms[i] - (burst.first_ms[i] + burst.opening_ms[i]);
            gaps += gap > 0;
            worst_gap = std::max(worst_gap, gap);
        }
    }
    guard.reset();
    network.join();
    std::printf("%zu answers at one instant, %s, workers %u, %d rounds: first audio p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms;"
                " the rest late after the opening: %d (worst %.1f ms)\n",
                answers, voice_name.c_str(), workers, rounds, pct(all, .5), pct(all, .9), pct(all, .99),
                *std::max_element(all.begin(), all.end()), gaps, worst_gap);
}
