#pragma once
// Internal to speech/: one pocketsphinx decoder set up for telephone audio, and the private copy
// of the acoustic model it needs. pocketsphinx's headers stay in the .cpp.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

struct ps_decoder_s;  // pocketsphinx's, at global scope like theirs
struct cmd_ln_s;
struct ngram_model_s;

namespace va::speech {

// The acoustic model folder copied to a fresh temporary directory, with feat.params rewritten
// for phone audio (the folder's feat.params silently overrides -cmninit given in code; FACTS.md).
// The copy is removed on destruction. Throws std::runtime_error when the model is missing.
class PhoneAcousticModel {
public:
    explicit PhoneAcousticModel(const std::filesystem::path& source);
    ~PhoneAcousticModel();
    PhoneAcousticModel(const PhoneAcousticModel&) = delete;
    PhoneAcousticModel& operator=(const PhoneAcousticModel&) = delete;
    const std::filesystem::path& path() const { return model_; }

private:
    std::filesystem::path dir_;    // the temporary directory
    std::filesystem::path model_;  // dir_/<model folder name>
};

struct DecoderFiles {
    std::string hmm, dict;
    std::string lm;    // the language model, unless
    std::string jsgf;  // a grammar is set
    bool second_pass = true;  // pocketsphinx's flat-lexicon pass (-fwdflat)
    float call_model_weight = 0.2f;  // a call model's share of each word's probability (use_vocabulary)
};

// A call's own words made ready for a decoder: their language model (context_lm.hpp), its words,
// and the pronunciations of those the dictionary lacks.
struct CallVocabulary {
    std::string arpa = {};                // "" = none
    std::vector<std::string> words = {};  // the model's words
    std::vector<std::pair<std::string, std::string>> new_words = {};  // word, ARPAbet phones
};

// The cepstral mean a phone channel settles at (FACTS.md), where every channel starts.
std::vector<float> phone_cepstral_mean();

// The most states a grammar may compile to (its text is capped at 64 KiB where it is saved).
inline constexpr int kMaxGrammarStates = 5000;

// What is wrong with a JSGF grammar given as text (nullopt when nothing): its syntax, a missing
// public rule, more than kMaxGrammarStates states, or a word `known_word` does not know.
std::optional<std::string> check_jsgf(const std::string& grammar, const std::function<bool(const std::string&)>& known_word);

// One decoder, one utterance at a time; not thread-safe, but decoders are independent of each
// other (logging is silenced once per process, and dither is done here rather than by
// pocketsphinx's process-global random generator).
class PocketsphinxDecoder {
public:
    // Throws std::runtime_error with pocketsphinx's own complaint when loading fails.
    explicit PocketsphinxDecoder(const DecoderFiles& files);
    ~PocketsphinxDecoder();
    PocketsphinxDecoder(const PocketsphinxDecoder&) = delete;
    PocketsphinxDecoder& operator=(const PocketsphinxDecoder&) = delete;

    // The next utterances are decoded with `grammar` (JSGF text; "" = what the decoder was loaded
    // with). Each grammar is compiled once and kept (the most recent few). Throws
    // std::runtime_error with pocketsphinx's complaint when it cannot use it; the decoder then
    // stays as it was. Not inside an utterance.
    void use_grammar(const std::string& grammar);
    // The next utterances are decoded with the generic language model interpolated with the
    // call's (an empty vocabulary: the generic model alone). The call's words become part of
    // the decoder for good (its dictionary cannot shrink): a new word, or one the generic model
    // lacks, rebuilds the search once (~0.3 s). Call models are kept parsed (the most recent
    // few); switching between them takes a few ms. Throws std::runtime_error when pocketsphinx
    // refuses one, or the decoder was loaded with a grammar; the decoder then keeps its model.
    void use_vocabulary(const CallVocabulary& vocabulary);
    // Starts an utterance from the channel's cepstral mean (phone_cepstral_mean() for a new one).
    void start(std::span<const float> cepstral_mean);
    // 16 kHz audio of the utterance. Throws std::runtime_error when decoding fails.
    void process(std::span<const std::int16_t> pcm);
    // The best words so far ("" for none).
    std::string hypothesis();
    // Ends the utterance: its words, and the channel's cepstral mean after it.
    std::string finish(std::vector<float>& cepstral_mean);
    // Ends the utterance, if one is under way, without a result. Never throws.
    void abandon() noexcept;

private:
    void add_grammar(const std::string& search, const std::string& grammar);
    void add_words(const CallVocabulary& vocabulary);
    ngram_model_s* load_call_model(const CallVocabulary& vocabulary);
    void remix();
    void mix_in(ngram_model_s* call);  // nullptr: the generic model alone

    ps_decoder_s* ps_ = nullptr;
    cmd_ln_s* config_ = nullptr;
    bool in_utterance_ = false;
    std::minstd_rand dither_;
    std::vector<std::int16_t> buffer_;   // dithered audio not yet decoded: less than a block
    std::string default_search_;         // pocketsphinx's name for the loaded model's search
    struct Grammar {
        std::string text, search;
    };
    std::deque<Grammar> grammars_;  // compiled, least recently used first
    unsigned grammar_count_ = 0;    // names their searches
    // The language model of the default search: the generic model, and the current call's model
    // mixed in when there is one (null for a decoder loaded with a grammar). Ours and the search's.
    ngram_model_s* generic_ = nullptr;  // a reference of ours
    ngram_model_s* mix_ = nullptr;
    ngram_model_s* mixed_ = nullptr;  // the call model in mix_, or null
    float call_model_weight_;
    struct CallModel {
        std::string arpa;
        ngram_model_s* model;  // a reference of ours
    };
    std::deque<CallModel> call_models_;  // parsed, least recently used first
};

}  // namespace va::speech
