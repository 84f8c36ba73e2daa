#include "speech/render.hpp"

#include <cmath>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/wav.hpp"
#include "support/temp_dir.hpp"

namespace va::speech {
namespace {

using ::testing::HasSubstr;

double rms(const std::vector<std::int16_t>& s) {
    double sum = 0;
    for (auto v : s) sum += static_cast<double>(v) * v;
    return s.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(s.size()));
}

double seconds(const std::vector<std::int16_t>& s) { return static_cast<double>(s.size()) / 8000.0; }

void expect_plausible_speech(const std::vector<std::int16_t>& audio) {
    EXPECT_GE(seconds(audio), 0.5);
    EXPECT_LE(seconds(audio), 3.0);
    EXPECT_GT(rms(audio), 300.0);  // clearly not silence (full scale is 32767)
}

TEST(Render, FliteRmsSaysHelloWorld) { expect_plausible_speech(render_8k(*parse_voice("flite:rms"), "hello world")); }

TEST(Render, FliteKalIsNatively8k) { expect_plausible_speech(render_8k(*parse_voice("flite:kal"), "hello world")); }

TEST(Render, FliteAwbAndSltWork) {
    expect_plausible_speech(render_8k(*parse_voice("flite:awb"), "hello world"));
    expect_plausible_speech(render_8k(*parse_voice("flite:slt"), "hello world"));
}

TEST(Render, EspeakEnUsSaysHelloWorld) {
    expect_plausible_speech(render_8k(*parse_voice("espeak:en-us"), "hello world"));
}

TEST(Render, WordsPerMinuteChangesTheLength) {
    const char* text = "this sentence is long enough to measure the speaking rate";
    for (const char* spec : {"espeak:en-us", "flite:rms"}) {
        auto voice = *parse_voice(spec);
        voice.words_per_minute = 100;
        auto slow = render_8k(voice, text);
        voice.words_per_minute = 250;
        auto fast = render_8k(voice, text);
        EXPECT_GT(slow.size(), fast.size() * 3 / 2) << spec;
        // The rate is reset for the next caller who wants the default.
        voice.words_per_minute = 0;
        auto normal = render_8k(voice, text);
        EXPECT_GT(normal.size(), fast.size()) << spec;
        EXPECT_LT(normal.size(), slow.size()) << spec;
    }
}

TEST(Render, FliteSaysWhereEachWordEnds) {
    const auto rendering = render_8k_timed(*parse_voice("flite:rms"), "Wait, Tuesday at 10 does not work");
    std::vector<std::string> words;
    for (const auto& w : rendering.words) words.push_back(w.text);
    EXPECT_EQ(words, (std::vector<std::string>{"wait", "tuesday", "at", "ten", "does", "not", "work"}));
    // In order, inside the audio, and the audio after a word's end is not a longer word's worth.
    const auto length = std::chrono::milliseconds(rendering.pcm.size() / 8);
    for (std::size_t i = 1; i < rendering.words.size(); ++i) EXPECT_GT(rendering.words[i].end, rendering.words[i - 1].end);
    EXPECT_GT(rendering.words.front().end.count(), 150);
    EXPECT_LE(rendering.words.back().end, length);
    EXPECT_GT(rendering.words.back().end, length - std::chrono::milliseconds(600));
    // The first word's end falls where its audio is followed by a quieter gap or the next word:
    // "wait," ends well before half of the sentence.
    EXPECT_LT(rendering.words.front().end, length / 3);
    EXPECT_TRUE(render_8k_timed(*parse_voice("espeak:en-us"), "hello").words.empty());
}

TEST(Render, FliteIsDeterministic) {
    for (const char* spec : {"flite:rms", "flite:awb", "flite:slt", "flite:kal"}) {
        auto voice = *parse_voice(spec);
        EXPECT_EQ(render_8k(voice, "yes please"), render_8k(voice, "yes please")) << spec;
    }
}

TEST(Render, EspeakVariesOnlySlightly) {
    // espeak-ng carries pitch-flutter state from one utterance to the next, so repeated renders
    // differ in detail (and by a few samples in length), never in substance.
    auto voice = *parse_voice("espeak:en-us");
    auto a = render_8k(voice, "yes please");
    auto b = render_8k(voice, "yes please");
    EXPECT_NEAR(static_cast<double>(a.size()), static_cast<double>(b.size()), 0.01 * static_cast<double>(a.size()));
    EXPECT_NEAR(rms(a), rms(b), 0.05 * rms(a));
}

TEST(Render, EmptyTextGivesLittleOrNoAudio) {
    for (const char* spec : {"espeak:en-us", "flite:rms"}) EXPECT_LT(seconds(render_8k(*parse_voice(spec), "")), 0.5) << spec;
}

TEST(Render, UnknownEspeakVoiceThrows) {
    try {
        render_8k(*parse_voice("espeak:no-such-voice"), "hello");
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("no-such-voice"));
    }
    // The engine still works afterwards.
    expect_plausible_speech(render_8k(*parse_voice("espeak:en"), "hello world"));
}

TEST(Render, UnknownFliteVoiceThrows) {
    Voice voice{Engine::flite, "nobody", 0};
    EXPECT_THROW(render_8k(voice, "hello"), std::runtime_error);
}

TEST(Render, IsSafeFromSeveralThreads) {
    const char* specs[] = {"flite:kal", "espeak:en-us", "flite:rms"};
    std::vector<std::future<std::vector<std::int16_t>>> results;
    for (int i = 0; i < 6; ++i)
        results.push_back(std::async(std::launch::async, [&specs, i] { return render_8k(*parse_voice(specs[i % 3]), "one two three"); }));
    for (int i = 0; i < 6; ++i) {
        auto got = results[static_cast<std::size_t>(i)].get();
        auto alone = render_8k(*parse_voice(specs[i % 3]), "one two three");
        if (i % 3 == 1) {  // espeak-ng varies slightly between calls (see above)
            EXPECT_NEAR(static_cast<double>(got.size()), static_cast<double>(alone.size()), 0.01 * static_cast<double>(alone.size()));
        } else {
            EXPECT_EQ(got, alone) << specs[i % 3];
        }
    }
}

TEST(LoadWav8k, Downsamples16kStereoToMono8k) {
    test::TempDir dir;
    media::PcmAudio audio{16000, 2, {}};
    for (int i = 0; i < 16000; ++i) {
        auto v = static_cast<std::int16_t>(std::lround(8000.0 * std::sin(i * 0.1)));
        audio.samples.push_back(v);
        audio.samples.push_back(v);
    }
    media::write_wav(dir.file("prompt.wav"), audio);
    auto out = load_wav_8k(dir.file("prompt.wav"));
    EXPECT_NEAR(static_cast<double>(out.size()), 8000.0, 80.0);
    EXPECT_NEAR(rms(out), 8000.0 / std::sqrt(2.0), 8000.0 / std::sqrt(2.0) * 0.05);
}

TEST(LoadWav8k, Keeps8kAsIs) {
    test::TempDir dir;
    media::write_wav(dir.file("p.wav"), media::PcmAudio{8000, 1, {1, 2, 3, 4}});
    EXPECT_EQ(load_wav_8k(dir.file("p.wav")), (std::vector<std::int16_t>{1, 2, 3, 4}));
}

TEST(LoadWav8k, MissingFileNamesThePath) {
    test::TempDir dir;
    try {
        load_wav_8k(dir.file("missing.wav"));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr(dir.file("missing.wav")));
    }
}

}  // namespace
}  // namespace va::speech
