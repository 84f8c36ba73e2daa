#include "speech/pocketsphinx_decoder.hpp"

#include "speech/jsgf_outline.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/ngram_model.h>
#include <stdlib.h>  // mkdtemp, mkstemp
#include <unistd.h>  // write, close

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace va::speech {
namespace {

namespace fs = std::filesystem;

static_assert(std::is_same_v<mfcc_t, float>, "sphinxbase built with FIXED_POINT: cepstra are not floats");

// FACTS.md: the live cepstral mean reached on upsampled phone audio.
constexpr float kPhoneCepstralMean[] = {55.46f,  27.79f, -38.72f, 57.51f, -27.93f, 0.27f, 3.53f,
                                        -37.79f, 16.79f, -20.82f, 6.85f,  3.90f,  -19.51f};
constexpr const char* kPhoneCmninit = "55.46,27.79,-38.72,57.51,-27.93,0.27,3.53,-37.79,16.79,-20.82,6.85,3.90,-19.51";

// The words pocketsphinx finds depend on how an utterance's audio was cut into calls, and a
// worker takes whatever audio has queued up meanwhile. Fed in blocks of one size, the same audio
// gives the same words.
constexpr std::size_t kBlock = 320;  // 20 ms at 16 kHz
// Grammars a decoder keeps compiled, and call models it keeps parsed (prompts in use at once, in
// practice).
constexpr std::size_t kKeptGrammars = 16;
constexpr std::size_t kKeptCallModels = 16;

// pocketsphinx logs to stderr by default, and `-logfn` swaps a process-global FILE* (closing the
// previous one) on every ps_init: racy when decoders load in parallel. Instead, once per process,
// a callback that drops everything except errors, which it keeps per thread so that a failed load
// can say why.
thread_local std::string t_last_error;

void quiet_log(void*, err_lvl_t level, const char* format, ...) {
    if (level < ERR_ERROR) return;
    char message[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
    // 'ERROR: "jsgf.c", line 923: Failed to parse ...': the words after the location.
    std::string_view text = message;
    if (auto at = text.find("\", line "); at != std::string_view::npos)
        if (auto colon = text.find(": ", at); colon != std::string_view::npos) text.remove_prefix(colon + 2);
    t_last_error = text;
    while (!t_last_error.empty() && (t_last_error.back() == '\n' || t_last_error.back() == ' ')) t_last_error.pop_back();
}

void silence_pocketsphinx() {
    static std::once_flag once;
    std::call_once(once, [] {
        err_set_callback(quiet_log, nullptr);
        err_set_logfp(nullptr);
    });
}

void require(const fs::path& path, const std::string& what) {
    if (!fs::exists(path))
        throw std::runtime_error("pocketsphinx: " + what + " not found at " + path.string() +
                                 " (install the pocketsphinx-en-us package, or set the model paths)");
}

// "the(2)" → "the"; fillers such as "[NOISE]" and "<sil>" are not words.
std::string clean_words(const char* hypothesis) {
    std::istringstream in(hypothesis ? hypothesis : "");
    std::string out, word;
    while (in >> word) {
        if (word.front() == '[' || word.front() == '<') continue;
        if (auto paren = word.find('('); paren != std::string::npos && paren > 0) word.resize(paren);
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

}  // namespace

PhoneAcousticModel::PhoneAcousticModel(const fs::path& source) {
    require(source / "feat.params", "the acoustic model (" + source.filename().string() + "/feat.params)");
    std::string pattern = (fs::temp_directory_path() / "va-pocketsphinx-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("pocketsphinx: cannot create a temporary directory in " + fs::temp_directory_path().string());
    dir_ = pattern;
    model_ = dir_ / source.filename();
    try {
        fs::copy(source, model_, fs::copy_options::recursive);
        std::ifstream in(source / "feat.params");
        std::ostringstream params;
        bool replaced = false;
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("-cmninit", 0) == 0) {
                line = std::string("-cmninit ") + kPhoneCmninit;
                replaced = true;
            }
            params << line << '\n';
        }
        if (!replaced) params << "-cmninit " << kPhoneCmninit << '\n';
        fs::remove(model_ / "feat.params");  // a copy of a read-only file is read-only
        std::ofstream out(model_ / "feat.params");
        out << params.str();
        if (!out.flush()) throw std::runtime_error("pocketsphinx: cannot write " + (model_ / "feat.params").string());
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
        throw;
    }
}

PhoneAcousticModel::~PhoneAcousticModel() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::vector<float> phone_cepstral_mean() { return {std::begin(kPhoneCepstralMean), std::end(kPhoneCepstralMean)}; }

std::optional<std::string> check_jsgf(const std::string& grammar,
                                      const std::function<bool(const std::string&)>& known_word) {
    if (auto outline = check_jsgf_outline(grammar)) return outline;
    silence_pocketsphinx();
    t_last_error.clear();
    jsgf_t* parsed = jsgf_parse_string(grammar.c_str(), nullptr);
    if (!parsed) return "not a JSGF grammar: " + (t_last_error.empty() ? std::string("syntax error") : t_last_error);
    std::optional<std::string> problem;
    jsgf_rule_t* rule = jsgf_get_public_rule(parsed);
    logmath_t* logmath = logmath_init(1.0001, 0, 0);
    fsg_model_t* fsg = rule ? jsgf_build_fsg(parsed, rule, logmath, 1.0) : nullptr;
    if (!rule) {
        problem = "the grammar has no public rule";
    } else if (!fsg) {
        problem = "the grammar cannot be compiled: " + t_last_error;
    } else if (fsg_model_n_state(fsg) > kMaxGrammarStates) {
        // Every state is searched on every frame of every call that uses the grammar.
        problem = "the grammar compiles to " + std::to_string(fsg_model_n_state(fsg)) + " states; at most " +
                  std::to_string(kMaxGrammarStates) + " are allowed";
    } else {
        for (int i = 0; i < fsg_model_n_word(fsg) && !problem; ++i) {
            const std::string word = fsg_model_word_str(fsg, i);
            if (!word.empty() && word.front() != '<' && !known_word(word))
                problem = "the word \"" + word + "\" is not in the pronunciation dictionary";
        }
    }
    if (fsg) fsg_model_free(fsg);
    logmath_free(logmath);
    jsgf_grammar_free(parsed);
    return problem;
}

PocketsphinxDecoder::PocketsphinxDecoder(const DecoderFiles& files) : call_model_weight_(files.call_model_weight) {
    silence_pocketsphinx();
    require(files.hmm, "the acoustic model");
    require(files.dict, "the pronunciation dictionary");
    require(files.jsgf.empty() ? files.lm : files.jsgf, files.jsgf.empty() ? "the language model" : "the JSGF grammar");
    // 16 kHz: the model's rate (fed 8 kHz directly it gets most words wrong, FACTS.md). No dither
    // here: PocketsphinxDecoder::process adds its own (see there).
    std::vector<std::string> args = {"-hmm", files.hmm, "-dict", files.dict, "-samprate", "16000", "-dither", "no"};
    args.insert(args.end(), {files.jsgf.empty() ? "-lm" : "-jsgf", files.jsgf.empty() ? files.lm : files.jsgf});
    args.insert(args.end(), {"-fwdflat", files.second_pass ? "yes" : "no"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    t_last_error.clear();
    config_ = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
    if (!config_) throw std::runtime_error("pocketsphinx: bad configuration: " + t_last_error);
    ps_ = ps_init(config_);
    if (!ps_) {
        cmd_ln_free_r(config_);
        throw std::runtime_error("pocketsphinx: cannot load a decoder with " + (files.jsgf.empty() ? files.lm : files.jsgf) +
                                 " and " + files.dict + ": " + (t_last_error.empty() ? "unknown error" : t_last_error));
    }
    // pocketsphinx names the search it loads "_default" (ps_get_search() leaks its iterator).
    default_search_ = "_default";
    if (ps_set_search(ps_, default_search_.c_str()) < 0) {
        ps_free(ps_);
        cmd_ln_free_r(config_);
        throw std::runtime_error("pocketsphinx: the loaded search is not named " + default_search_);
    }
    if (files.jsgf.empty()) {
        // The default search holds the generic model in a set of one. It gets a set of its own
        // instead (mix_), into which a call's model is mixed (and out of which it is taken)
        // without rebuilding the search.
        ngram_model_set_iter_t* first = ngram_model_set_iter(ps_get_lm(ps_, default_search_.c_str()));
        generic_ = ngram_model_retain(ngram_model_set_iter_model(first, nullptr));
        ngram_model_set_iter_free(first);
        try {
            remix();
        } catch (...) {
            ngram_model_free(generic_);
            ps_free(ps_);
            cmd_ln_free_r(config_);
            throw;
        }
    }
}

// A new mix_ of the generic model alone and a new default search over it (the old ones are
// freed): a set's vocabulary is fixed when it is made, so this is how words added to the generic
// model reach the search.
void PocketsphinxDecoder::remix() {
    if (mix_) mix_in(nullptr);
    char generic_name[] = "generic";
    char* names[] = {generic_name};
    ngram_model_t* mix = ngram_model_set_init(config_, &generic_, names, nullptr, 1);  // selects it
    t_last_error.clear();
    const bool built = mix && ps_set_lm(ps_, default_search_.c_str(), mix) >= 0;  // the search's own reference
    // Whatever happened, the default search is set again: a search replaced by name is freed.
    const bool set = ps_set_search(ps_, default_search_.c_str()) >= 0;
    if (!built || !set) {
        if (mix) ngram_model_free(mix);
        throw std::runtime_error("pocketsphinx: cannot build the language model search: " + t_last_error);
    }
    if (mix_) ngram_model_free(mix_);
    mix_ = mix;
}

// mix_ with `call` (or none) in it, and the interpolation weights (or the generic model selected).
void PocketsphinxDecoder::mix_in(ngram_model_t* call) {
    if (mixed_ != call) {
        if (mixed_) ngram_model_free(ngram_model_set_remove(mix_, "call", TRUE));  // the set's reference
        mixed_ = nullptr;
        if (call) {
            ngram_model_set_add(mix_, ngram_model_retain(call), "call", call_model_weight_, TRUE);  // takes one
            mixed_ = call;
        }
    }
    if (!mixed_) {
        ngram_model_set_select(mix_, "generic");
        return;
    }
    // The set mixes scores already raised to the language weight (P^lw, lw ~6.5), so a share w
    // of plain probability is w^lw there: with w itself, every word of the call's model would
    // outscore the generic model whatever w is (bench/stt).
    const double lw = cmd_ln_float_r(config_, "-lw");
    const char* names[] = {"generic", "call"};
    const float32 weights[] = {static_cast<float32>(std::pow(1.0 - call_model_weight_, lw)),
                               static_cast<float32>(std::pow(call_model_weight_, lw))};
    ngram_model_set_interp(mix_, names, weights);
}

// Makes the call's words part of the decoder: those the dictionary lacks into it, and those the
// generic model lacks into the set's vocabulary, then one rebuild of the search, which only then
// has them. Throws (after that) when pocketsphinx refuses a word.
void PocketsphinxDecoder::add_words(const CallVocabulary& vocabulary) {
    mix_in(nullptr);  // a word added to the set goes to each model mixed in: only the generic one
    t_last_error.clear();
    std::string refused;
    // Without the update of every search each would bring (~0.3 s each): one rebuild below. A
    // grammar's search never meets them: its words were in the dictionary when it was compiled.
    for (const auto& [word, phones] : vocabulary.new_words) {
        char* known = ps_lookup_word(ps_, word.c_str());
        ckd_free(known);
        if (!known && ps_add_word(ps_, word.c_str(), phones.c_str(), FALSE) < 0) {
            refused = "pocketsphinx: cannot add the word \"" + word + "\": " + t_last_error;
            break;
        }
    }
    // Into the generic model too (53,000 of the dictionary's words are not in it), with a small
    // probability, so that the search has them once remixed: a set's vocabulary is fixed, and
    // ps_add_word's attempt to add to it fails.
    bool grow = false;
    for (const auto& word : vocabulary.words) {
        char* known = ps_lookup_word(ps_, word.c_str());
        ckd_free(known);
        if (known && ngram_wid(generic_, word.c_str()) == ngram_unknown_wid(generic_)) {
            if (ngram_model_add_word(generic_, word.c_str(), 1.0f) == NGRAM_INVALID_WID)
                throw std::runtime_error("pocketsphinx: the generic language model refuses the word \"" + word + "\"");
            grow = true;
        }
    }
    if (grow) remix();
    if (!refused.empty()) throw std::runtime_error(refused);
}

// Parses a call's model, first making its words part of the decoder.
ngram_model_t* PocketsphinxDecoder::load_call_model(const CallVocabulary& vocabulary) {
    add_words(vocabulary);
    // ngram_model_read takes a file only: the model goes through a private temporary one.
    std::string path = (fs::temp_directory_path() / "va-call-lm-XXXXXX").string();
    const int fd = mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("pocketsphinx: cannot create a temporary file in " + fs::temp_directory_path().string());
    const auto size = static_cast<ssize_t>(vocabulary.arpa.size());
    const bool written = ::write(fd, vocabulary.arpa.data(), vocabulary.arpa.size()) == size;
    ::close(fd);
    ngram_model_t* model = written ? ngram_model_read(config_, path.c_str(), NGRAM_ARPA, ps_get_logmath(ps_)) : nullptr;
    std::error_code ignored;
    fs::remove(path, ignored);
    if (!model) throw std::runtime_error("pocketsphinx: cannot read the call's language model: " + t_last_error);
    return model;
}

void PocketsphinxDecoder::use_vocabulary(const CallVocabulary& vocabulary) {
    if (vocabulary.arpa.empty()) return use_grammar({});
    if (!mix_) throw std::runtime_error("pocketsphinx: a decoder loaded with a grammar has no language model for a call's words");
    if (ps_set_search(ps_, default_search_.c_str()) < 0) throw std::runtime_error("pocketsphinx: cannot switch to " + default_search_);
    auto kept = std::find_if(call_models_.begin(), call_models_.end(),
                             [&](const CallModel& m) { return m.arpa == vocabulary.arpa; });
    if (kept != call_models_.end()) {
        std::rotate(kept, std::next(kept), call_models_.end());  // as in use_grammar
    } else {
        call_models_.push_back({vocabulary.arpa, load_call_model(vocabulary)});
        if (call_models_.size() > kKeptCallModels) {
            if (mixed_ == call_models_.front().model) mix_in(nullptr);
            ngram_model_free(call_models_.front().model);
            call_models_.pop_front();
        }
    }
    mix_in(call_models_.back().model);
}

// What ps_set_jsgf_string() does, without leaking the parsed grammar as this version does.
void PocketsphinxDecoder::add_grammar(const std::string& search, const std::string& grammar) {
    if (auto outline = check_jsgf_outline(grammar))
        throw std::runtime_error("pocketsphinx: cannot use the grammar: " + *outline);
    t_last_error.clear();
    jsgf_t* parsed = jsgf_parse_string(grammar.c_str(), nullptr);
    jsgf_rule_t* rule = parsed ? jsgf_get_public_rule(parsed) : nullptr;
    fsg_model_t* fsg = rule ? jsgf_build_fsg(parsed, rule, ps_get_logmath(ps_),
                                             static_cast<float>(cmd_ln_float_r(config_, "-lw")))
                            : nullptr;
    const bool added = fsg && ps_set_fsg(ps_, search.c_str(), fsg) >= 0;
    if (fsg) fsg_model_free(fsg);  // the search keeps its own reference
    if (parsed) jsgf_grammar_free(parsed);
    if (!added) throw std::runtime_error("pocketsphinx: cannot use the grammar: " + t_last_error);
}

void PocketsphinxDecoder::use_grammar(const std::string& grammar) {
    std::string search = default_search_;
    if (grammar.empty() && mix_) mix_in(nullptr);  // the generic model alone
    if (!grammar.empty()) {
        auto kept = std::find_if(grammars_.begin(), grammars_.end(), [&](const Grammar& g) { return g.text == grammar; });
        if (kept != grammars_.end()) {
            search = kept->search;
            // Now the most recently used. Moved by rotation, not push_back then erase: a deque's
            // push_back invalidates every iterator into it, `kept` included.
            std::rotate(kept, std::next(kept), grammars_.end());
        } else {
            search = "grammar" + std::to_string(++grammar_count_);
            add_grammar(search, grammar);
            grammars_.push_back({grammar, search});
            if (grammars_.size() > kKeptGrammars) {
                ps_set_search(ps_, default_search_.c_str());  // the oldest may be the active one
                ps_unset_search(ps_, grammars_.front().search.c_str());
                grammars_.pop_front();
            }
        }
    }
    if (ps_set_search(ps_, search.c_str()) < 0) throw std::runtime_error("pocketsphinx: cannot switch to " + search);
}

PocketsphinxDecoder::~PocketsphinxDecoder() {
    abandon();
    ps_free(ps_);
    for (auto& m : call_models_) ngram_model_free(m.model);
    if (mix_) ngram_model_free(mix_);
    if (generic_) ngram_model_free(generic_);
    cmd_ln_free_r(config_);
}

void PocketsphinxDecoder::start(std::span<const float> cepstral_mean) {
    abandon();
    // A new stream each time: the front end's noise estimate (spectral subtraction, and the
    // silence removal that follows it) otherwise carries over from the last utterance this
    // decoder decoded, whoever's it was, and the same audio gives other words on a used decoder.
    // The estimate starts again from the utterance's own pre-roll.
    if (ps_start_stream(ps_) < 0 || ps_start_utt(ps_) < 0)
        throw std::runtime_error("pocketsphinx: cannot start an utterance");
    in_utterance_ = true;
    // The live cepstral mean would otherwise carry over from whichever call this decoder served
    // last; each channel starts from its own (the phone value for a new call).
    cmn_t* cmn = ps_get_feat(ps_)->cmn_struct;
    if (cmn && cepstral_mean.size() == static_cast<std::size_t>(cmn->veclen)) cmn_live_set(cmn, cepstral_mean.data());
    dither_.seed(1);
}

void PocketsphinxDecoder::process(std::span<const std::int16_t> pcm) {
    if (pcm.empty()) return;
    // Dither as pocketsphinx's `-dither yes` does (+1 on a quarter of the samples: digital silence
    // would otherwise give log(0) energies), but from a generator of our own, seeded per
    // utterance: pocketsphinx draws from one process-global generator, which decoders on
    // different threads would share unsafely and which would make results depend on whatever
    // else was being decoded.
    for (auto s : pcm) {
        if (dither_() % 4 == 0 && s < std::numeric_limits<std::int16_t>::max()) ++s;
        buffer_.push_back(s);
    }
    const std::size_t whole = buffer_.size() / kBlock * kBlock;
    for (std::size_t at = 0; at < whole; at += kBlock)
        if (ps_process_raw(ps_, buffer_.data() + at, kBlock, FALSE, FALSE) < 0)
            throw std::runtime_error("pocketsphinx: decoding failed");
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(whole));
}

std::string PocketsphinxDecoder::hypothesis() {
    int32 score = 0;
    return clean_words(ps_get_hyp(ps_, &score));
}

std::string PocketsphinxDecoder::finish(std::vector<float>& cepstral_mean) {
    in_utterance_ = false;
    const bool fed = buffer_.empty() || ps_process_raw(ps_, buffer_.data(), buffer_.size(), FALSE, FALSE) >= 0;
    buffer_.clear();
    if (ps_end_utt(ps_) < 0 || !fed) throw std::runtime_error("pocketsphinx: cannot end the utterance");
    if (cmn_t* cmn = ps_get_feat(ps_)->cmn_struct) {
        cepstral_mean.resize(static_cast<std::size_t>(cmn->veclen));
        cmn_live_get(cmn, cepstral_mean.data());
    }
    return hypothesis();
}

void PocketsphinxDecoder::abandon() noexcept {
    buffer_.clear();
    if (!in_utterance_) return;
    in_utterance_ = false;
    ps_end_utt(ps_);
}

}  // namespace va::speech
