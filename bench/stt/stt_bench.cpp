// pocketsphinx on phone-line audio: the share of words found, how long the final words take after
// the end of an utterance (audio paced as a call delivers it), the real-time factor (audio fed as
// fast as the decoder takes it), and whether the same clip gives the same words on a decoder
// that has decoded other clips. With and without the second search pass.
//
// Clips: agent-style answers in two flite voices, μ-law, with line hiss ~40 dB under the speech
// and 300 ms of it before the words (what the VAD's pre-roll holds).
// Then the same on answers to the demo's prompt, with and without the call's own words.
// Usage: stt_bench [sentences=10] [all|context: only the last table] [the call model's weight]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "conversation/callee_words.hpp"
#include "media/mulaw.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "speech/render.hpp"

namespace {

using namespace va;
using Clock = std::chrono::steady_clock;

const char* kSentences[] = {
    "I would like to move my appointment to Thursday afternoon.",
    "Could you call me back later this week?",
    "Could you send me a text message with the address please?",
    "What time does the office open on Saturday?",
    "Yes, I can come in tomorrow morning at ten.",
    "Call me on Monday.",
    "My husband will bring the car in on Friday.",
    "No thank you, I am not interested.",
    "Can you tell me how much it will cost?",
    "I need to cancel my order.",
    "Please send the bill to my email address.",
    "I will be there at three o'clock.",
};

// Answers to the demo's prompt and greeting (src/app/demo.cpp, copied here): names, dates and times.
const char* kDemoPrompt =
    "You are the scheduling assistant of Bright Smile Dental. You call patients to book their yearly "
    "checkup with Doctor Okonkwo; offer tomorrow at ten. Be brief and friendly. Once the patient has confirmed, "
    "say goodbye and end the call.";
const char* kDemoGreeting = "Hello, this is Bright Smile Dental calling about your yearly checkup with Doctor Okonkwo.";
const char* kDemoAnswers[] = {
    "Yes, tomorrow at ten works for me.",
    "Hi, yes, speaking.",
    "Can we do Thursday at three instead?",
    "Is that with Doctor Okonkwo?",
    "Tomorrow morning is fine.",
    "I would rather come in next Tuesday afternoon.",
    "Sorry, can I bring my son too?",
    "My last checkup was in March.",
    "Ten is too early, is eleven possible?",
    "Please book me with Doctor Okonkwo.",
    "Where is Bright Smile Dental?",
    "No thanks, I already booked my checkup.",
};

struct Clip {
    std::string text;
    std::vector<std::int16_t> pcm;
};

Clip phone_clip(const std::string& voice, const std::string& text, std::uint32_t seed) {
    auto speech = speech::render_8k(*speech::parse_voice(voice), text);
    std::vector<std::int16_t> pcm(2400, 0);  // 300 ms before the words
    pcm.insert(pcm.end(), speech.begin(), speech.end());
    std::mt19937 noise(seed);
    std::normal_distribution<double> hiss(0.0, 60.0);  // ~40 dB under flite's speech
    for (auto& s : pcm) s = static_cast<std::int16_t>(std::clamp(s + hiss(noise), -32768.0, 32767.0));
    return {text, media::decode_mulaw(media::encode_mulaw(pcm))};
}

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) {
        std::string lower;
        for (const char c : w)
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') lower += static_cast<char>(std::tolower(c));
        if (!lower.empty()) out.push_back(lower);
    }
    return out;
}

// Word error rate: edit distance over the reference's words.
double wer(const std::string& reference, const std::string& hypothesis) {
    const auto r = words(reference), h = words(hypothesis);
    std::vector<std::size_t> row(h.size() + 1);
    for (std::size_t j = 0; j <= h.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= r.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= h.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (r[i - 1] == h[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return static_cast<double>(row[h.size()]) / static_cast<double>(r.size());
}

struct Result {
    std::string text;
    double after_end_ms = 0;  // end_utterance → the final result awaited
    double total_ms = 0;      // begin_utterance → the final result awaited
};

// One clip as an utterance of `session` (opened on `io`, which is run until its final).
Result decode(speech::SttSession& session_ref, boost::asio::io_context& io, const Clip& clip, bool paced) {
    auto* session = &session_ref;
    const std::size_t preroll = 1600, frame = 160;
    const auto start = Clock::now();
    session->begin_utterance(std::span(clip.pcm).first(preroll));
    auto due = start;
    for (std::size_t i = preroll; i < clip.pcm.size(); i += frame) {
        if (paced) std::this_thread::sleep_until(due += std::chrono::milliseconds(20));
        session->audio(std::span(clip.pcm).subspan(i, std::min(frame, clip.pcm.size() - i)));
    }
    const auto end = Clock::now();
    session->end_utterance();
    Result result;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            const auto heard = co_await session->next();
            const auto now = Clock::now();
            result.text = heard ? heard->text : "(failed: " + heard.error().message() + ")";
            result.after_end_ms = std::chrono::duration<double, std::milli>(now - end).count();
            result.total_ms = std::chrono::duration<double, std::milli>(now - start).count();
        },
        boost::asio::detached);
    io.run();
    io.restart();
    return result;
}

// One clip in a fresh session: a call's first utterance.
Result decode(speech::SpeechToText& stt, const Clip& clip, bool paced) {
    boost::asio::io_context io;
    auto session = stt.open(io.get_executor());
    return decode(*session, io, clip, paced);
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

std::vector<Clip> clip_set(const char* const* sentences, std::size_t n, std::uint32_t seed) {
    std::vector<Clip> clips;
    for (const char* voice : {"flite:rms", "flite:awb"})
        for (std::size_t i = 0; i < n; ++i) clips.push_back(phone_clip(voice, sentences[i], seed++));
    return clips;
}

// WER on each set with and without the demo's words (no second pass, as served). Unpaced: the
// decoder takes its audio in blocks of one size, so the words do not depend on the pace.
void context_table(std::size_t n, float weight) {
    const auto control = clip_set(kSentences, n, 1);
    const auto demo = clip_set(kDemoAnswers, std::size(kDemoAnswers), 100);
    speech::PocketsphinxConfig config;
    config.decoders = 1;
    config.call_model_weight = weight;
    auto stt = speech::make_pocketsphinx_stt(config);
    std::printf("\nthe call's own words (SttOptions::context: the demo's prompt) at weight %.2f, second pass off:\n", weight);
    for (const auto* set : {&control, &demo}) {
        for (const bool with_context : {false, true}) {
            // One call per voice: its answers in one session, as a call's turns are.
            const std::size_t per_voice = set->size() / 2;
            double wer_sum[2] = {0, 0};
            std::vector<double> total;
            boost::asio::io_context io;
            speech::SttOptions options;
            options.context = with_context ? conversation::expected_words(kDemoPrompt, kDemoGreeting) : "";
            std::unique_ptr<speech::SttSession> session;
            for (std::size_t i = 0; i < set->size(); ++i) {
                const auto& clip = (*set)[i];
                if (i % per_voice == 0) session = stt->open(io.get_executor(), options);
                const auto start = Clock::now();
                const auto r = decode(*session, io, clip, false);
                total.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
                wer_sum[i / per_voice] += wer(clip.text, r.text);
                if (std::getenv("VA_BENCH_WORDS")) std::printf("    %-48s → %s\n", clip.text.c_str(), r.text.c_str());
            }
            const double n_clips = static_cast<double>(set->size());
            std::printf("  %-13s %-17s WER %4.1f%% (rms %4.1f%%, awb %4.1f%%), decode p50 %4.0f / max %4.0f ms\n",
                        set == &control ? "control set," : "demo answers,", with_context ? "with its words:" : "without:",
                        100 * (wer_sum[0] + wer_sum[1]) / n_clips, 200 * wer_sum[0] / n_clips, 200 * wer_sum[1] / n_clips,
                        percentile(total, 0.5), percentile(total, 1.0));
        }
    }
}

long rss_kb() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

// What a call model costs a decoder: the time to build it (the first utterance of a prompt's first
// call on each decoder waits for it) and the memory each one kept adds.
void call_model_cost(const std::vector<Clip>& clips) {
    speech::PocketsphinxConfig config;
    config.decoders = 1;
    auto stt = speech::make_pocketsphinx_stt(config);
    boost::asio::io_context io;
    decode(*stt, clips.front(), false);  // the generic model's first utterance
    const long before = rss_kb();
    std::vector<double> first, again;
    for (int prompt = 0; prompt < 16; ++prompt) {
        speech::SttOptions options;
        options.context = conversation::expected_words(kDemoPrompt, kDemoGreeting) + "\nprompt " + std::string(1, static_cast<char>('a' + prompt));
        for (auto* times : {&first, &again}) {
            auto session = stt->open(io.get_executor(), options);
            const auto start = Clock::now();
            decode(*session, io, clips.front(), false);
            times->push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
    }
    std::printf("\n16 prompts' call models on one decoder: first utterance p50 %.0f ms, the same again p50 %.0f ms; RSS +%.1f MB (%.1f MB each)\n",
                percentile(first, 0.5), percentile(again, 0.5), static_cast<double>(rss_kb() - before) / 1024,
                static_cast<double>(rss_kb() - before) / 1024 / 16);
}

int main(int argc, char** argv) {
    const std::size_t n = std::min<std::size_t>(argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10, std::size(kSentences));
    const float weight = argc > 3 ? std::strtof(argv[3], nullptr) : speech::PocketsphinxConfig{}.call_model_weight;
    if (argc > 2 && std::string(argv[2]) == "context") {
        context_table(n, weight);
        call_model_cost(clip_set(kDemoAnswers, 1, 100));
        return 0;
    }
    const auto clips = clip_set(kSentences, n, 1);
    double audio_s = 0;
    for (const auto& c : clips) audio_s += static_cast<double>(c.pcm.size()) / 8000.0;
    std::printf("%zu clips, %.1f s of audio; one decoder, each clip in a fresh session\n", clips.size(), audio_s);
    for (const bool second_pass : {true, false}) {
        speech::PocketsphinxConfig config;
        config.decoders = 1;
        config.second_pass = second_pass;
        auto stt = speech::make_pocketsphinx_stt(config);
        std::vector<double> errors, after_end, rtf;
        std::vector<std::string> forward;
        for (const auto& clip : clips) {  // paced: the final's wait is what a caller waits
            const auto r = decode(*stt, clip, true);
            errors.push_back(wer(clip.text, r.text));
            after_end.push_back(r.after_end_ms);
            forward.push_back(r.text);
        }
        std::size_t differ = 0;
        for (std::size_t i = clips.size(); i-- > 0;) {  // unpaced, in the other order: other history
            const auto& clip = clips[i];
            const auto r = decode(*stt, clip, false);
            rtf.push_back(r.total_ms / 1000.0 / (static_cast<double>(clip.pcm.size()) / 8000.0));
            if (r.text != forward[i]) {
                ++differ;
                std::printf("  differs: \"%s\" / \"%s\"\n", forward[i].c_str(), r.text.c_str());
            }
        }
        double mean_wer = 0;
        for (double e : errors) mean_wer += e / static_cast<double>(errors.size());
        std::printf("second pass %-3s: WER %4.1f%%, final after end p50 %3.0f / p90 %3.0f / max %3.0f ms, RTF p50 %.2f / max %.2f, "
                    "%zu of %zu clips differ in another order\n",
                    second_pass ? "on" : "off", 100 * mean_wer, percentile(after_end, 0.5), percentile(after_end, 0.9),
                    percentile(after_end, 1.0), percentile(rtf, 0.5), percentile(rtf, 1.0), differ, clips.size());
    }
    context_table(n, weight);
    call_model_cost(clip_set(kDemoAnswers, 1, 100));
}
