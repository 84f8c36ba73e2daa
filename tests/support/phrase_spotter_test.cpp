// PhraseSpotter on flite's speech as the phone simulator's callee says it: placed at the right
// sample after silence, clean and under white noise at 10 dB SNR with an echo, phrases back to
// back, nothing from noise, silence or a phrase it does not know, and a phrase whose start the
// utterance missed (by any whole number of frames).
// Audio goes through μ-law, as on the line. The scores seen are printed (the threshold's margin).
#include "support/phrase_spotter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "support/spoken_phrase.hpp"

namespace va::test {
namespace {

constexpr std::int64_t kFrame = 160;

std::int64_t round_up(std::int64_t samples) { return (samples + kFrame - 1) / kFrame * kFrame; }

// What the spotter said, and how much audio it had been given when it did.
struct Heard {
    std::string text;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t at = 0;
};

class PhraseSpotterTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        phrases_ = new std::vector<DeepgramStandinPhrase>{spoken_phrase("wait actually tuesday does not work"),
                                                          spoken_phrase("uh huh"), spoken_phrase("yes that works")};
        book_ = new std::shared_ptr<const Phrasebook>(std::make_shared<const Phrasebook>(make_phrasebook(*phrases_)));
    }
    static void TearDownTestSuite() {
        delete book_;
        delete phrases_;
    }

    static const DeepgramStandinPhrase& phrase(std::size_t i) { return (*phrases_)[i]; }
    static const SpotterPhrase& prepared(std::size_t i) { return (**book_)[i]; }

    // A clip as the simulator plays it: padded with silence to whole 20 ms frames.
    static std::vector<std::int16_t> clip(std::size_t i) {
        auto pcm = phrase(i).pcm;
        pcm.resize(static_cast<std::size_t>(round_up(static_cast<std::int64_t>(pcm.size()))), 0);
        return pcm;
    }
    static void append(std::vector<std::int16_t>& to, const std::vector<std::int16_t>& more) {
        to.insert(to.end(), more.begin(), more.end());
    }
    static std::vector<std::int16_t> silence(std::int64_t samples) {
        return std::vector<std::int16_t>(static_cast<std::size_t>(samples), 0);
    }

    // The clip's speech level as the simulator measures it (src/sim/utterances.cpp): the mean
    // square over its frames within 35 dB of the loudest and above an RMS of 100.
    static double speech_power(std::size_t i) {
        const auto& pcm = phrase(i).pcm;
        std::vector<double> frames;
        for (std::size_t at = 0; at + kFrame <= pcm.size(); at += kFrame) {
            double sum = 0;
            for (std::size_t k = at; k < at + kFrame; ++k) sum += static_cast<double>(pcm[k]) * pcm[k];
            frames.push_back(sum / kFrame);
        }
        const double loudest = *std::max_element(frames.begin(), frames.end());
        const double floor = std::max(100.0 * 100.0, loudest * std::pow(10.0, -3.5));
        double sum = 0;
        int voiced = 0;
        for (const double f : frames) {
            if (f < floor) continue;
            sum += f;
            ++voiced;
        }
        return sum / voiced;
    }

    // White Gaussian noise (fixed seed) at `snr_db` below phrase i's speech level, added throughout.
    static std::vector<std::int16_t> with_noise(const std::vector<std::int16_t>& pcm, std::size_t i, double snr_db,
                                                unsigned seed = 7) {
        std::mt19937 random(seed);
        std::normal_distribution<double> gauss(0.0, std::sqrt(speech_power(i) / std::pow(10.0, snr_db / 10.0)));
        std::vector<std::int16_t> out(pcm.size());
        for (std::size_t k = 0; k < pcm.size(); ++k)
            out[k] = static_cast<std::int16_t>(std::clamp(pcm[k] + gauss(random), -32768.0, 32767.0));
        return out;
    }

    // Through the line's codec, then to the spotter `chunk` samples at a time.
    static std::vector<Heard> listen(PhraseSpotter& spotter, const std::vector<std::int16_t>& audio,
                                     std::size_t chunk = kFrame) {
        const auto line = media::decode_mulaw(media::encode_mulaw(audio));
        std::vector<Heard> heard;
        for (std::size_t at = 0; at < line.size(); at += chunk) {
            const auto n = std::min(chunk, line.size() - at);
            for (auto& word : spotter.feed(std::span(line).subspan(at, n)))
                heard.push_back({word.text, word.start, word.end, spotter.samples()});
        }
        return heard;
    }

    static std::vector<std::string> texts(const std::vector<Heard>& heard) {
        std::vector<std::string> out;
        for (const auto& h : heard) out.push_back(h.text);
        return out;
    }
    static std::vector<std::string> texts(const DeepgramStandinPhrase& phrase, std::size_t from = 0) {
        std::vector<std::string> out;
        for (std::size_t k = from; k < phrase.words.size(); ++k) out.push_back(phrase.words[k].text);
        return out;
    }
    static std::int64_t end_of(std::size_t i, std::size_t word) { return phrase(i).words[word].end.count() * 8; }

    // Where the spotter places phrase i started at `start` (its first anchor whole, and one
    // boundary more to see the peak, but not before the later anchors' 400 ms), and so says the
    // words that ended before.
    static std::int64_t placed_at(std::size_t i, std::int64_t start) {
        const auto& anchor = prepared(i).anchors.front();
        const auto seen = start + anchor.offset + static_cast<std::int64_t>(anchor.samples.size());
        return std::max<std::int64_t>(seen + kFrame, 2 * kAnchorSamples);
    }

    // The best score of a phrase other than `right` (all phrases when `right` is out of range).
    static double best_wrong(const PhraseSpotter& spotter, std::size_t right) {
        double best = 0;
        for (std::size_t k = 0; k < spotter.best_scores().size(); ++k)
            if (k != right) best = std::max(best, spotter.best_scores()[k]);
        return best;
    }

    static PhraseSpotter spotter() { return PhraseSpotter(*book_); }

    static std::vector<DeepgramStandinPhrase>* phrases_;
    static std::shared_ptr<const Phrasebook>* book_;
};

std::vector<DeepgramStandinPhrase>* PhraseSpotterTest::phrases_ = nullptr;
std::shared_ptr<const Phrasebook>* PhraseSpotterTest::book_ = nullptr;

TEST_F(PhraseSpotterTest, PreparesAnAnchorFromTheFirstVoicedFrame) {
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& p = prepared(i);
        ASSERT_FALSE(p.anchors.empty()) << p.text;
        EXPECT_EQ(p.anchors[0].offset % kFrame, 0) << p.text;
        EXPECT_EQ(p.anchors[0].samples.size(), 1600u) << p.text;
        // Before it, only the leading silence: the first word has not ended there.
        EXPECT_LT(p.anchors[0].offset, end_of(i, 0)) << p.text;
        for (std::size_t a = 1; a < p.anchors.size(); ++a) EXPECT_EQ(p.anchors[a].offset, p.anchors[0].offset + 1600 * a);
    }
}

TEST_F(PhraseSpotterTest, PlacesAPhraseAfterSilenceAndSaysEachWordWhenItEnds) {
    constexpr std::int64_t start = 25 * kFrame;
    auto audio = silence(start);
    append(audio, clip(0));
    append(audio, silence(8000));
    auto spotter = this->spotter();
    const auto heard = listen(spotter, audio);
    ASSERT_EQ(spotter.detections().size(), 1u);
    EXPECT_EQ(spotter.detections()[0].phrase, 0u);
    EXPECT_EQ(spotter.detections()[0].start, start);
    std::cout << "clean: score " << spotter.detections()[0].score << ", best wrong " << best_wrong(spotter, 0) << "\n";
    ASSERT_EQ(texts(heard), texts(phrase(0)));
    std::int64_t word_start = start + prepared(0).anchors[0].offset;
    for (std::size_t k = 0; k < heard.size(); ++k) {
        EXPECT_EQ(heard[k].end, start + end_of(0, k)) << heard[k].text;
        EXPECT_EQ(heard[k].start, word_start) << heard[k].text;
        // Said on the frame that holds its end; the words that ended before the phrase was placed, then.
        EXPECT_EQ(heard[k].at, std::max(round_up(heard[k].end), placed_at(0, start))) << heard[k].text;
        word_start = heard[k].end;
    }
    // The first word ends after the anchor (else the check above would not test the timing).
    EXPECT_GT(start + end_of(0, heard.size() - 1), placed_at(0, start));
}

TEST_F(PhraseSpotterTest, FramesOfAnyLengthGiveTheSameWords) {
    constexpr std::int64_t start = 40 * kFrame;
    auto audio = silence(start);
    append(audio, clip(2));
    append(audio, silence(4000));
    for (const std::size_t chunk : {1u, 1000u, 1760u, 3200u}) {
        auto spotter = this->spotter();
        const auto heard = listen(spotter, audio, chunk);
        ASSERT_EQ(spotter.detections().size(), 1u) << chunk;
        EXPECT_EQ(spotter.detections()[0].start, start) << chunk;
        ASSERT_EQ(texts(heard), texts(phrase(2))) << chunk;
        for (std::size_t k = 0; k < heard.size(); ++k) EXPECT_EQ(heard[k].end, start + end_of(2, k)) << chunk;
    }
}

TEST_F(PhraseSpotterTest, PlacesEachPhraseUnderNoiseAtTenDecibelsAndAnEcho) {
    // The agent's own voice coming back 20 dB down, over the callee's.
    const auto agent = speech::render_8k(*speech::parse_voice("flite:slt"), "okay let me check that for you right away");
    for (std::size_t i = 0; i < 3; ++i) {
        constexpr std::int64_t start = 30 * kFrame;
        auto audio = silence(start);
        append(audio, clip(i));
        append(audio, silence(8000));
        for (std::size_t k = 0; k < audio.size(); ++k)
            audio[k] = static_cast<std::int16_t>(audio[k] + agent[k % agent.size()] / 10);
        auto spotter = this->spotter();
        const auto heard = listen(spotter, with_noise(audio, i, 10.0));
        ASSERT_EQ(spotter.detections().size(), 1u) << phrase(i).text;
        EXPECT_EQ(spotter.detections()[0].phrase, i);
        EXPECT_EQ(spotter.detections()[0].start, start) << phrase(i).text;
        std::cout << "10 dB SNR and echo, \"" << phrase(i).text << "\": score " << spotter.detections()[0].score
                  << ", best wrong " << best_wrong(spotter, i) << "\n";
        ASSERT_EQ(texts(heard), texts(phrase(i)));
        for (std::size_t k = 0; k < heard.size(); ++k) {
            EXPECT_EQ(heard[k].end, start + end_of(i, k));
            EXPECT_EQ(heard[k].at, std::max(round_up(heard[k].end), placed_at(i, start)));
        }
    }
}

TEST_F(PhraseSpotterTest, PhrasesBackToBackArePlacedInTurn) {
    constexpr std::int64_t start = 10 * kFrame;
    auto audio = silence(start);
    const std::vector<std::size_t> said = {1, 1, 2, 0};
    std::vector<std::int64_t> starts;
    for (const auto i : said) {
        starts.push_back(static_cast<std::int64_t>(audio.size()));
        append(audio, clip(i));
    }
    append(audio, silence(4000));
    for (const bool noisy : {false, true}) {
        auto spotter = this->spotter();
        const auto heard = listen(spotter, noisy ? with_noise(audio, 0, 10.0) : audio);
        ASSERT_EQ(spotter.detections().size(), said.size()) << noisy;
        std::vector<std::string> expected;
        for (std::size_t d = 0; d < said.size(); ++d) {
            EXPECT_EQ(spotter.detections()[d].phrase, said[d]) << noisy;
            EXPECT_EQ(spotter.detections()[d].start, starts[d]) << noisy;
            const auto words = texts(phrase(said[d]));
            expected.insert(expected.end(), words.begin(), words.end());
        }
        EXPECT_EQ(texts(heard), expected) << noisy;
        EXPECT_TRUE(std::is_sorted(heard.begin(), heard.end(), [](const Heard& a, const Heard& b) { return a.end < b.end; }));
    }
}

TEST_F(PhraseSpotterTest, NoiseSilenceOrAPhraseItDoesNotKnowSayNothing) {
    const auto noise = with_noise(silence(5 * 8000), 0, 10.0, 11);
    const auto unknown = spoken_phrase("i would like to move my appointment to next week").pcm;
    const auto similar = spoken_phrase("yes that is fine").pcm;  // starts with one of the book's words
    struct Case {
        const char* what;
        std::vector<std::int16_t> audio;
    };
    std::vector<Case> cases = {{"silence", silence(5 * 8000)}, {"noise", noise}};
    for (const auto* pcm : {&unknown, &similar}) {
        auto audio = silence(20 * kFrame);
        append(audio, *pcm);
        append(audio, silence(4000));
        cases.push_back({pcm == &unknown ? "unknown phrase" : "similar phrase", audio});
        auto noisy = audio;
        for (std::size_t k = 0; k < noisy.size(); ++k)
            noisy[k] = static_cast<std::int16_t>(std::clamp(noisy[k] + noise[k % noise.size()], -32768, 32767));
        cases.push_back({pcm == &unknown ? "unknown phrase, noisy" : "similar phrase, noisy", noisy});
    }
    for (const auto& c : cases) {
        auto spotter = this->spotter();
        EXPECT_TRUE(listen(spotter, c.audio).empty()) << c.what;
        EXPECT_TRUE(spotter.finish().empty()) << c.what;
        EXPECT_TRUE(spotter.detections().empty()) << c.what;
        std::cout << c.what << ": best score " << best_wrong(spotter, 99) << "\n";
    }
}

TEST_F(PhraseSpotterTest, APhraseBegunBeforeTheUtteranceGivesTheWordsAfterItsStart) {
    // The pre-roll missed the clip's leading silence: every word is heard.
    const std::int64_t early = prepared(0).anchors[0].offset / kFrame / 2 * kFrame;
    // It missed the first word, and the first anchor with it: the later anchors place the phrase.
    const std::int64_t late = round_up(end_of(0, 0));
    for (const std::int64_t cut : {early, late}) {
        const auto whole = clip(0);
        std::vector<std::int16_t> audio(whole.begin() + cut, whole.end());
        append(audio, silence(4000));
        for (const bool noisy : {false, true}) {
            auto spotter = this->spotter();
            const auto heard = listen(spotter, noisy ? with_noise(audio, 0, 10.0) : audio);
            ASSERT_EQ(spotter.detections().size(), 1u) << cut << (noisy ? " noisy" : "");
            EXPECT_EQ(spotter.detections()[0].start, -cut);
            std::cout << "cut " << cut << (noisy ? " noisy" : "") << ": score " << spotter.detections()[0].score
                      << "\n";
            const std::size_t first = cut == late ? 1 : 0;
            ASSERT_EQ(texts(heard), texts(phrase(0), first));
            EXPECT_GE(heard[0].start, 0);
            for (std::size_t k = 0; k < heard.size(); ++k) EXPECT_EQ(heard[k].end, end_of(0, first + k) - cut);
        }
    }
}

TEST_F(PhraseSpotterTest, APhraseIsPlacedHoweverManyFramesOfItTheUtteranceMissed) {
    // Up to the last 400 ms, where only the end of its last word (or silence) is left.
    for (const std::size_t i : {0u, 2u}) {
        const auto whole = clip(i);
        const auto last = static_cast<std::int64_t>(whole.size()) - 2 * static_cast<std::int64_t>(kAnchorSamples);
        for (std::int64_t cut = kFrame; cut <= last; cut += kFrame) {
            std::vector<std::int16_t> audio(whole.begin() + cut, whole.end());
            append(audio, silence(4000));
            auto spotter = this->spotter();
            listen(spotter, audio);
            ASSERT_EQ(spotter.detections().size(), 1u) << phrase(i).text << ", cut " << cut;
            EXPECT_EQ(spotter.detections()[0].start, -cut) << phrase(i).text;
        }
    }
}

TEST_F(PhraseSpotterTest, FinishCountsAMatchStillWaitingForItsPeak) {
    // The utterance ends right where the first anchor is whole: the spotter could not yet see
    // that the score falls after it.
    constexpr std::int64_t start = 5 * kFrame;
    const auto& anchor = prepared(1).anchors[0];
    auto audio = silence(start);
    append(audio, clip(1));
    audio.resize(static_cast<std::size_t>(start + anchor.offset + static_cast<std::int64_t>(anchor.samples.size())));
    auto spotter = this->spotter();
    EXPECT_TRUE(listen(spotter, audio).empty());
    EXPECT_TRUE(spotter.detections().empty());
    const auto heard = spotter.finish();
    ASSERT_EQ(spotter.detections().size(), 1u);
    EXPECT_EQ(spotter.detections()[0].start, start);
    for (const auto& word : heard) EXPECT_LE(word.end, spotter.samples());
    // reset() forgets it all.
    spotter.reset();
    EXPECT_TRUE(spotter.detections().empty());
    EXPECT_EQ(spotter.samples(), 0);
}

}  // namespace
}  // namespace va::test

namespace va::test {
namespace {

// One voice (rms, as the bench's callees) saying many phrases: 200 ms of two of them can match
// by chance (one pitch), so a placement is confirmed word by word; each phrase heard alone
// gives its own words and nothing of the others.
TEST(PhraseSpotterBook, OneVoiceManyPhrasesGivesEachPhrasesOwnWords) {
    const std::vector<std::string> texts{"Let me see, I think", "Hi, yes, speaking.", "That works.",
                                         "Wait, actually Tuesday doesn't work for me.", "No wait, I am not available tomorrow.",
                                         "Well, my husband", "usually drives me there.", "Excuse me, who is calling again?",
                                         "I'd like the", "morning one, please.", "Yes.", "uh huh"};
    std::vector<DeepgramStandinPhrase> phrases;
    for (const auto& text : texts) phrases.push_back(spoken_phrase(text, "flite:rms"));
    auto book = std::make_shared<const Phrasebook>(make_phrasebook(phrases));
    for (const auto& phrase : phrases) {
        PhraseSpotter spotter(book);
        auto audio = std::vector<std::int16_t>(1600, 0);
        audio.insert(audio.end(), phrase.pcm.begin(), phrase.pcm.end());
        audio.resize(audio.size() / 160 * 160 + 160 + 3200, 0);
        const auto line = media::decode_mulaw(media::encode_mulaw(audio));
        std::vector<std::string> heard;
        for (std::size_t at = 0; at < line.size(); at += 160) {
            for (auto& word : spotter.feed(std::span(line).subspan(at, 160))) heard.push_back(word.text);
        }
        for (auto& word : spotter.finish()) heard.push_back(word.text);
        std::vector<std::string> expected;
        for (const auto& word : phrase.words) expected.push_back(word.text);
        EXPECT_EQ(heard, expected) << phrase.text;
    }
}

}  // namespace
}  // namespace va::test
