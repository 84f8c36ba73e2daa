#pragma once
// Local streaming speech recognition with pocketsphinx (CMU Sphinx, Debian's pocketsphinx-en-us
// model): the offline default and the test recogniser. Its header stays in the .cpp.
//
// A decoder is large (~106 MB with the generic language model, ~34 MB with a grammar), so there
// is no decoder per call: `decoders` of them are loaded once and lent to a session for one
// utterance, from begin_utterance() to its final result. Each decoder has a worker thread;
// sessions only queue audio, so every SttSession call returns at once. A session waiting for a
// decoder keeps its audio (up to 30 s not yet decoded per session: the rest is dropped, and the
// utterance still gets its final result with the words of what was kept) and is served in turn.
#include <cstddef>
#include <memory>
#include <string>

#include "speech/stt.hpp"

namespace va::speech {

struct PocketsphinxConfig {
    // The model folder: `en-us/` (the acoustic model), `en-us.lm.bin`, `cmudict-en-us.dict`.
    std::string model_dir = "/usr/share/pocketsphinx/model/en-us";
    // Decoders (and worker threads) in the pool: utterances decoded at the same time.
    std::size_t decoders = 2;
    // A JSGF grammar of the expected answers instead of the language model (much faster and far
    // more accurate for yes/no questions, but it never rejects: any speech comes back as some
    // phrase of the grammar).
    std::string jsgf_path;
    // Overrides of `<model_dir>/en-us.lm.bin` and `<model_dir>/cmudict-en-us.dict`.
    std::string lm_path;
    std::string dict_path;
    // pocketsphinx's second, flat-lexicon search pass. Without it the final words come ~110 ms
    // after the end of an utterance instead of ~400 ms (p50), about as accurate (bench/stt: WER
    // 20% without, 22% with). Either way the same audio gives the same words, whichever decoder
    // has it and however it came in.
    bool second_pass = false;
    // With SttOptions::context, the share of the call's own model in each word's probability
    // (the generic model has the rest), in (0, 1).
    float call_model_weight = 0.2f;
};

// Loads the pool (decoders in parallel; ~0.5 s each with the generic language model) from a
// private copy of the acoustic model with phone-channel settings, removed once they are loaded.
// Throws
// std::runtime_error naming what is missing or failed to load (install pocketsphinx-en-us), and
// when both jsgf_path and lm_path are set.
//
// Sessions: with SttOptions::context (and no grammar), the call's words are mixed into the
// generic model (call_model_weight); its words the dictionary lacks are pronounced by espeak-ng
// (at most 100 a context, made once per context text and kept for 64 of them). Each adapts to its line (an utterance starts from the cepstral mean where the
// session's previous one ended: 88% → 95% of words found on flite sentences). With
// SttOptions::partials a partial result comes every ~0.5 s of decoded audio while the words
// change; the final once per end_utterance() (engine::Errc::failed, logged, when pocketsphinx
// refused the audio). end_utterance() outside an utterance still gets its final (""), and
// begin_utterance() inside one drops the open one (no final for it). The workers send
// the results to the session's inbox: nothing of an utterance once its cancel_utterance() has
// returned, nothing once the session is destroyed.
// Destroy sessions before the SpeechToText: its destructor decodes utterances already ended
// (their finals still come), drops open ones and leaves any remaining session inert.
std::unique_ptr<SpeechToText> make_pocketsphinx_stt(PocketsphinxConfig config);

}  // namespace va::speech
