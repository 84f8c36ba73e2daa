// pocketsphinx behind speech::SpeechToText: a pool of decoders, each with its worker thread,
// lent to one session's utterance at a time. Sessions only queue audio under the pool's mutex;
// workers resample, decode and send the results to the session's inbox.
#include "speech/pocketsphinx_stt.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "media/resampler.hpp"
#include "speech/context_lm.hpp"
#include "speech/pocketsphinx_decoder.hpp"
#include "speech/pronunciation.hpp"

namespace va::speech {
namespace {

constexpr int kLineRate = 8000;
constexpr int kModelRate = 16000;
constexpr int kResamplerQuality = 5;  // FACTS.md: 3-5 ms of delay, >= 47 dB in band
// Audio a session may hold that no decoder has taken yet: enough to wait out a busy pool for a
// long answer; past it the newest audio is dropped (480 KB per session at most).
constexpr std::size_t kMaxPendingSamples = 30 * kLineRate;
// Each utterance is led by 0.3 s of its line's own noise: the first 100 ms of its pre-roll (from
// before the VAD heard voice), repeated; digital silence when there is no pre-roll. The decoder's
// first frames are then not the first word (88% of the words on ten flite sentences instead of
// 84%), and the front end's noise estimate, which starts afresh with each utterance, starts from
// the line's noise (bench/stt, no second pass: WER 20% against 24.5% led by digital silence).
constexpr std::size_t kLead = kModelRate * 3 / 10;
constexpr std::size_t kLeadNoise = kLineRate / 10;
// A backlog is decoded in slices this long (8 kHz samples), so that a cancel or a closed session
// is noticed within ~1/3 s of decoding.
constexpr std::size_t kSlice = kLineRate;
// Interim results: a look at the decoder's hypothesis per this much decoded audio (16 kHz
// samples); what two looks in a row agree on is delivered.
constexpr std::size_t kPartialEvery = kModelRate / 5;
constexpr int kUnsettledChecks = 5;  // 1 s of audio

struct Utterance {
    std::vector<std::int16_t> lead_noise;  // 8 kHz, the start of the pre-roll
    std::vector<std::int16_t> audio;  // 8 kHz, not yet taken by the worker
    bool heard = false;               // some audio ever arrived
    bool ended = false;
    std::atomic<bool> canceled{false};  // read by the worker between slices without the lock
};

using Send = std::function<void(engine::Result<Heard>)>;

struct SessionState {
    SessionState(Send s, SttOptions options, std::shared_ptr<const CallVocabulary> v)
        : grammar(std::move(options.grammar)), vocabulary(std::move(v)), partials(options.partials), send(std::move(s)) {}

    const std::string grammar;  // JSGF text, or "" for the decoders' own model
    const std::shared_ptr<const CallVocabulary> vocabulary;  // without a grammar: the call's words (never null)
    const bool partials;        // interim results asked for
    // All below under Pool::mutex_, except where noted.
    // Into the session's inbox, only under the mutex; close() drops it, so once the session is
    // gone no worker touches the inbox's channel (whose executor may be gone too).
    Send send;
    bool gone = false;  // the session was destroyed
    std::deque<std::shared_ptr<Utterance>> utterances;  // in order; only the last may be open
    bool open = false;                                 // utterances.back() has not ended
    bool queued = false;                               // in Pool::waiting_
    std::condition_variable* worker = nullptr;         // wakes the worker decoding utterances.front()
    std::size_t pending = 0;                           // samples in all utterances' audio
    std::vector<float> cepstral_mean = phone_cepstral_mean();  // the channel, utterance to utterance
};

class Pool {
public:
    explicit Pool(std::vector<std::unique_ptr<PocketsphinxDecoder>> decoders) {
        for (auto& d : decoders) workers_.push_back(std::make_unique<Worker>(std::move(d)));
        for (auto& w : workers_) w->thread = std::thread([this, worker = w.get()] { work(*worker); });
    }

    // Decodes what has ended, drops what is open, joins the workers and frees the decoders.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            for (auto& w : workers_) w->wake.notify_one();
        }
        idle_.notify_all();
        for (auto& w : workers_) w->thread.join();
        workers_.clear();
    }

    // A new call model is built on every decoder now (the first time it costs ~0.3 s), not when
    // the call's first utterance waits for it.
    void prepare(std::shared_ptr<const CallVocabulary> vocabulary) {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        for (auto& w : workers_) w->to_prepare.push_back(vocabulary);
        idle_.notify_all();
    }

    void begin(const std::shared_ptr<SessionState>& s, std::span<const std::int16_t> preroll) {
        std::lock_guard lock(mutex_);
        if (stopping_ || s->gone) return;
        if (s->open) drop(*s, s->utterances.back());
        s->utterances.push_back(std::make_shared<Utterance>());
        s->open = true;
        const auto noise = preroll.first(std::min(preroll.size(), kLeadNoise));
        s->utterances.back()->lead_noise.assign(noise.begin(), noise.end());
        append(*s, preroll);
        schedule(s);
    }

    void audio(SessionState& s, std::span<const std::int16_t> pcm) {
        std::lock_guard lock(mutex_);
        if (stopping_ || s.gone || !s.open) return;
        append(s, pcm);
    }

    void end(const std::shared_ptr<SessionState>& s) {
        std::lock_guard lock(mutex_);
        if (stopping_ || s->gone) return;
        if (!s->open) s->utterances.push_back(std::make_shared<Utterance>());  // gets its "" in turn
        s->utterances.back()->ended = true;
        s->open = false;
        wake(*s, s->utterances.back());
        schedule(s);
    }

    void cancel(SessionState& s) {
        std::lock_guard lock(mutex_);
        if (!s.open) return;
        drop(s, s.utterances.back());
        s.open = false;
    }

    void close(SessionState& s) {
        std::lock_guard lock(mutex_);
        s.gone = true;
        s.send = nullptr;
        for (auto& u : s.utterances) u->canceled = true;
        if (s.worker) s.worker->notify_one();
        s.utterances.clear();  // the worker keeps its own reference to the one it decodes
        s.open = false;
        s.pending = 0;
        if (s.queued) std::erase_if(waiting_, [&](const auto& w) { return w.get() == &s; });
        s.queued = false;
    }

private:
    struct Worker {
        explicit Worker(std::unique_ptr<PocketsphinxDecoder> d) : decoder(std::move(d)) {}
        std::unique_ptr<PocketsphinxDecoder> decoder;
        std::condition_variable wake;  // audio, end or cancel for the utterance it decodes
        std::thread thread;
        std::deque<std::shared_ptr<const CallVocabulary>> to_prepare;  // under mutex_
    };

    // Under mutex_.
    void append(SessionState& s, std::span<const std::int16_t> pcm) {
        auto& u = *s.utterances.back();
        const std::size_t room = kMaxPendingSamples - s.pending;
        const std::size_t n = std::min(room, pcm.size());
        u.audio.insert(u.audio.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(n));
        u.heard = u.heard || !pcm.empty();
        s.pending += n;
        wake(s, s.utterances.back());
    }

    void wake(SessionState& s, const std::shared_ptr<Utterance>& u) {
        if (s.worker && s.utterances.front() == u) s.worker->notify_one();
    }

    // An utterance that will get no final result: the worker abandons it if it is decoding it,
    // and it leaves the queue at once otherwise.
    void drop(SessionState& s, const std::shared_ptr<Utterance>& u) {
        u->canceled = true;
        s.pending -= u->audio.size();
        u->audio.clear();
        if (s.worker && s.utterances.front() == u) {
            s.worker->notify_one();
        } else {
            std::erase(s.utterances, u);
        }
    }

    // Puts a session with work and no decoder in line for one.
    void schedule(const std::shared_ptr<SessionState>& s) {
        if (s->gone || s->queued || s->worker || s->utterances.empty()) return;
        waiting_.push_back(s);
        s->queued = true;
        idle_.notify_one();
    }

    void work(Worker& w) {
        std::unique_lock lock(mutex_);
        for (;;) {
            idle_.wait(lock, [&] { return stopping_ || !waiting_.empty() || !w.to_prepare.empty(); });
            if (!stopping_ && !w.to_prepare.empty()) {
                auto vocabulary = std::move(w.to_prepare.front());
                w.to_prepare.pop_front();
                lock.unlock();
                try {
                    w.decoder->use_vocabulary(*vocabulary);
                } catch (const std::runtime_error& e) {
                    spdlog::warn("{}; the generic language model is used", e.what());
                }
                lock.lock();
                continue;
            }
            if (waiting_.empty()) return;  // stopping, and every ended utterance is decoded
            auto s = std::move(waiting_.front());
            waiting_.pop_front();
            s->queued = false;
            if (s->utterances.empty()) continue;  // its only utterance was dropped while it waited
            auto u = s->utterances.front();
            s->worker = &w.wake;
            lock.unlock();
            decode(w, *s, *u);
            lock.lock();
            s->worker = nullptr;
            if (!s->utterances.empty() && s->utterances.front() == u) s->utterances.pop_front();
            schedule(s);  // its next utterance, behind the sessions already waiting
        }
    }

    void decode(Worker& w, SessionState& s, Utterance& u) {
        std::vector<float> cepstral_mean;
        bool silent = false;
        {
            std::lock_guard lock(mutex_);
            silent = u.ended && !u.heard;  // an end_utterance() with nothing to decode
            cepstral_mean = s.cepstral_mean;
        }
        std::optional<std::string> text = std::string();
        bool failed = false;
        if (!silent) {
            try {
                text = recognize(w, s, u, cepstral_mean);
            } catch (const std::exception& e) {
                // Rare (pocketsphinx refusing input): the utterance still ends with a final result
                // (a failed one), after its end_utterance().
                spdlog::warn("pocketsphinx: an utterance could not be decoded: {}", e.what());
                w.decoder->abandon();
                failed = true;
                text = discard_until_end(w, s, u);
            }
        }
        if (!text) return;  // canceled, or open when the pool stopped
        std::lock_guard lock(mutex_);
        if (failed) {
            deliver(s, u, engine::Result<Heard>(engine::Errc::failed));
            return;
        }
        if (!silent) s.cepstral_mean = std::move(cepstral_mean);
        deliver(s, u, Heard{std::move(*text)});
    }

    // The utterance's words once it has ended; nullopt when it is dropped first. `cepstral_mean`:
    // the channel's, in and out.
    std::optional<std::string> recognize(Worker& w, SessionState& s, Utterance& u, std::vector<float>& cepstral_mean) {
        auto& decoder = *w.decoder;
        // One resampler per utterance: utterances are separate stretches of the call, and the
        // filter's tail belongs to the utterance it came from.
        media::Resampler resampler(kLineRate, kModelRate, kResamplerQuality);
        try {
            if (s.grammar.empty()) decoder.use_vocabulary(*s.vocabulary);
            else decoder.use_grammar(s.grammar);
        } catch (const std::runtime_error& e) {
            // Grammars are checked when a prompt is saved (check_grammar), so this is a grammar
            // saved before a dictionary change, or a call model pocketsphinx refused: the generic
            // language model hears the call instead.
            spdlog::warn("{}; the generic language model is used", e.what());
            decoder.use_grammar({});
        }
        decoder.start(cepstral_mean);
        decoder.process(lead_in(u.lead_noise));
        std::size_t since_partial = 0;
        std::string partial;   // the last one delivered
        std::string previous;  // the decoder's hypothesis at the last check
        int unsettled = 0;     // checks in a row whose hypotheses agreed on no word
        for (;;) {
            std::vector<std::int16_t> audio;
            bool ended = false;
            if (!take(w, s, u, audio, ended)) {
                decoder.abandon();
                return std::nullopt;
            }
            for (std::size_t i = 0; i < audio.size(); i += kSlice) {
                if (u.canceled) {
                    decoder.abandon();
                    return std::nullopt;
                }
                const auto pcm = resampler.process(std::span(audio).subspan(i, std::min(kSlice, audio.size() - i)));
                decoder.process(pcm);
                since_partial += pcm.size();
                if (since_partial < kPartialEvery || !s.partials) continue;
                since_partial = 0;
                // Only the words two hypotheses in a row agree on: the last word of one is often
                // a guess at a word still being said ("all" for the start of "okay").
                // (A hypothesis that keeps changing, as a grammar's whole phrases may, is delivered
                // as it is after kUnsettledChecks: something comes.)
                auto now = decoder.hypothesis();
                auto stable = common_words(previous, now);
                unsettled = stable.empty() ? unsettled + 1 : 0;
                if (unsettled >= kUnsettledChecks) stable = now;
                previous = std::move(now);
                if (!stable.empty() && stable != partial) {
                    partial = stable;
                    std::lock_guard lock(mutex_);
                    deliver(s, u, Heard{std::move(stable), false});
                }
            }
            if (ended) {
                decoder.process(resampler.flush());
                return decoder.finish(cepstral_mean);
            }
        }
    }

    // The words `a` and `b` begin with alike, as text ("" when none).
    static std::string common_words(const std::string& a, const std::string& b) {
        std::size_t end = 0;  // of the last whole word in common
        for (std::size_t i = 0;; ++i) {
            const bool a_ends = i == a.size() || a[i] == ' ';
            const bool b_ends = i == b.size() || b[i] == ' ';
            if (a_ends && b_ends) {
                end = i;
                if (i == a.size() || i == b.size()) break;
                continue;
            }
            if (a_ends || b_ends || a[i] != b[i]) break;
        }
        return a.substr(0, end);
    }

    // kLead samples at the model's rate: `noise` repeated, or silence.
    static std::vector<std::int16_t> lead_in(const std::vector<std::int16_t>& noise) {
        std::vector<std::int16_t> lead;
        media::Resampler resampler(kLineRate, kModelRate, kResamplerQuality);
        while (!noise.empty() && lead.size() < kLead) {
            const auto up = resampler.process(noise);
            lead.insert(lead.end(), up.begin(), up.end());
        }
        lead.resize(kLead, 0);
        return lead;
    }

    // Waits for the utterance's next audio (moved into `audio`) or its end; false when it is
    // dropped, or still open when the pool stops.
    bool take(Worker& w, SessionState& s, Utterance& u, std::vector<std::int16_t>& audio, bool& ended) {
        std::unique_lock lock(mutex_);
        w.wake.wait(lock, [&] { return !u.audio.empty() || u.ended || u.canceled || stopping_; });
        if (u.canceled || (stopping_ && !u.ended)) return false;
        audio.swap(u.audio);
        s.pending -= audio.size();
        ended = u.ended;
        return true;
    }

    std::optional<std::string> discard_until_end(Worker& w, SessionState& s, Utterance& u) {
        std::vector<std::int16_t> audio;
        for (bool ended = false; !ended; audio.clear())
            if (!take(w, s, u, audio, ended)) return std::nullopt;
        return std::string();
    }

    // Under mutex_: sends a result unless its session is gone or its utterance dropped. A send
    // returns at once, and the waiter resumes on its own executor, never here.
    static void deliver(SessionState& s, const Utterance& u, engine::Result<Heard> result) {
        if (s.gone || u.canceled) return;
        s.send(std::move(result));
    }

    std::mutex mutex_;
    std::condition_variable idle_;  // a session waits for a decoder, or the pool stops
    std::deque<std::shared_ptr<SessionState>> waiting_;
    bool stopping_ = false;
    std::vector<std::unique_ptr<Worker>> workers_;
};

class PocketsphinxSession final : public SttSession {
public:
    PocketsphinxSession(std::shared_ptr<Pool> pool, boost::asio::any_io_executor executor, SttOptions options,
                        std::shared_ptr<const CallVocabulary> vocabulary)
        : pool_(std::move(pool)),
          results_(std::move(executor)),
          state_(std::make_shared<SessionState>(results_.sender(), std::move(options), std::move(vocabulary))) {}
    ~PocketsphinxSession() override { pool_->close(*state_); }

    void begin_utterance(std::span<const std::int16_t> preroll) override { pool_->begin(state_, preroll); }
    void audio(std::span<const std::int16_t> pcm) override { pool_->audio(*state_, pcm); }
    void end_utterance() override { pool_->end(state_); }
    void cancel_utterance() override { pool_->cancel(*state_); }
    boost::asio::awaitable<engine::Result<Heard>> next() override { return results_.receive(); }

private:
    std::shared_ptr<Pool> pool_;
    engine::Inbox<engine::Result<Heard>> results_;
    std::shared_ptr<SessionState> state_;
};

class PocketsphinxStt final : public SpeechToText {
public:
    explicit PocketsphinxStt(const PocketsphinxConfig& config) {
        if (config.decoders == 0) throw std::runtime_error("pocketsphinx: the pool needs at least one decoder");
        if (!config.jsgf_path.empty() && !config.lm_path.empty())
            throw std::runtime_error("pocketsphinx: set jsgf_path or lm_path, not both");
        std::filesystem::path dir = config.model_dir;
        if (!dir.has_filename()) dir = dir.parent_path();  // ".../en-us/"
        // Removed again as soon as the decoders have read it (they never go back to the files),
        // so that a process killed later leaves nothing behind in the temporary directory.
        const PhoneAcousticModel model(dir / "en-us");
        DecoderFiles files;
        files.hmm = model.path().string();
        files.dict = config.dict_path.empty() ? (dir / "cmudict-en-us.dict").string() : config.dict_path;
        files.lm = config.lm_path.empty() ? (dir / "en-us.lm.bin").string() : config.lm_path;
        files.jsgf = config.jsgf_path;  // when set, instead of the language model
        files.second_pass = config.second_pass;
        if (!(config.call_model_weight > 0 && config.call_model_weight < 1))
            throw std::runtime_error("pocketsphinx: the call model's weight must be between 0 and 1");
        files.call_model_weight = config.call_model_weight;
        name_ = "pocketsphinx:" + dir.filename().string() + (config.jsgf_path.empty() ? "" : "+jsgf");
        grammar_only_ = !config.jsgf_path.empty();
        load_words(files.dict);
        // Each decoder takes ~0.5 s to load with the generic language model: load them together.
        std::vector<std::future<std::unique_ptr<PocketsphinxDecoder>>> loading;
        for (std::size_t i = 0; i < config.decoders; ++i)
            loading.push_back(
                std::async(std::launch::async, [&files] { return std::make_unique<PocketsphinxDecoder>(files); }));
        std::vector<std::unique_ptr<PocketsphinxDecoder>> decoders;
        std::exception_ptr failure;
        for (auto& f : loading) {
            try {
                decoders.push_back(f.get());
            } catch (...) {
                failure = std::current_exception();
            }
        }
        if (failure) std::rethrow_exception(failure);
        pool_ = std::make_shared<Pool>(std::move(decoders));
    }
    ~PocketsphinxStt() override { pool_->stop(); }

    std::unique_ptr<SttSession> open(boost::asio::any_io_executor executor, SttOptions options) override {
        // A pool loaded with a grammar file has no language model to add the call's words to.
        auto vocabulary = options.grammar.empty() && !grammar_only_ ? vocabulary_for(options.context)
                                                                    : std::make_shared<CallVocabulary>();
        return std::make_unique<PocketsphinxSession>(pool_, std::move(executor), std::move(options), std::move(vocabulary));
    }
    std::string name() const override { return name_; }
    // Its generic model turns a short "uh-huh" into other words ("you have", "the blood").
    std::size_t words_to_take_floor() const override { return 3; }
    std::optional<std::string> check_grammar(const std::string& grammar) const override {
        return check_jsgf(grammar, [this](const std::string& word) { return words_.contains(word); });
    }

private:
    // The call model of a context, made once per context text (a prompt's calls share it).
    std::shared_ptr<const CallVocabulary> vocabulary_for(const std::string& context) {
        std::lock_guard lock(vocabularies_mutex_);
        if (auto kept = vocabularies_.find(context); kept != vocabularies_.end()) return kept->second;
        auto vocabulary = std::make_shared<CallVocabulary>();
        const auto sentences = context_sentences(context);
        vocabulary->arpa = context_arpa(sentences);
        std::set<std::string> words;
        for (const auto& sentence : sentences) words.insert(sentence.begin(), sentence.end());
        std::size_t pronounced = 0;
        for (const auto& word : words) {
            vocabulary->words.push_back(word);
            // Each becomes a dictionary word of every decoder for good: a long prompt's stray
            // tokens must not grow it without bound.
            if (words_.contains(word) || pronounced == kMaxNewWords) continue;
            ++pronounced;
            try {
                if (auto phones = pronounce(word)) vocabulary->new_words.emplace_back(word, *phones);
            } catch (const std::runtime_error& e) {
                spdlog::warn("pocketsphinx: no pronunciation for a word of the call: {}", e.what());
            }
        }
        if (vocabularies_.size() >= kKeptVocabularies) vocabularies_.clear();
        vocabularies_.emplace(context, vocabulary);
        if (!vocabulary->arpa.empty()) pool_->prepare(vocabulary);
        return vocabulary;
    }

    // The dictionary's words ("word(2)" is a second pronunciation of "word"), so that a grammar
    // can be checked without a decoder.
    void load_words(const std::string& dict) {
        std::ifstream in(dict);
        for (std::string line; std::getline(in, line);) {
            auto word = line.substr(0, line.find_first_of(" \t"));
            if (auto paren = word.find('('); paren != std::string::npos) word.resize(paren);
            if (!word.empty()) words_.insert(std::move(word));
        }
    }

    static constexpr std::size_t kKeptVocabularies = 64;
    static constexpr std::size_t kMaxNewWords = 100;  // per prompt
    std::string name_;
    bool grammar_only_ = false;
    std::unordered_set<std::string> words_;
    std::mutex vocabularies_mutex_;
    std::map<std::string, std::shared_ptr<const CallVocabulary>> vocabularies_;
    std::shared_ptr<Pool> pool_;
};

}  // namespace

std::unique_ptr<SpeechToText> make_pocketsphinx_stt(PocketsphinxConfig config) {
    return std::make_unique<PocketsphinxStt>(config);
}

}  // namespace va::speech
