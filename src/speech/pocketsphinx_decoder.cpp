#include "speech/pocketsphinx_decoder.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
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

PocketsphinxDecoder::PocketsphinxDecoder(const DecoderFiles& files) {
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
}

PocketsphinxDecoder::~PocketsphinxDecoder() {
    abandon();
    ps_free(ps_);
    cmd_ln_free_r(config_);
}

void PocketsphinxDecoder::start(std::span<const float> cepstral_mean) {
    abandon();
    if (ps_start_utt(ps_) < 0) throw std::runtime_error("pocketsphinx: cannot start an utterance");
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
    buffer_.assign(pcm.begin(), pcm.end());
    for (auto& s : buffer_)
        if (dither_() % 4 == 0 && s < std::numeric_limits<std::int16_t>::max()) ++s;
    if (ps_process_raw(ps_, buffer_.data(), buffer_.size(), FALSE, FALSE) < 0)
        throw std::runtime_error("pocketsphinx: decoding failed");
}

std::string PocketsphinxDecoder::hypothesis() {
    int32 score = 0;
    return clean_words(ps_get_hyp(ps_, &score));
}

std::string PocketsphinxDecoder::finish(std::vector<float>& cepstral_mean) {
    in_utterance_ = false;
    if (ps_end_utt(ps_) < 0) throw std::runtime_error("pocketsphinx: cannot end the utterance");
    if (cmn_t* cmn = ps_get_feat(ps_)->cmn_struct) {
        cepstral_mean.resize(static_cast<std::size_t>(cmn->veclen));
        cmn_live_get(cmn, cepstral_mean.data());
    }
    return hypothesis();
}

void PocketsphinxDecoder::abandon() noexcept {
    if (!in_utterance_) return;
    in_utterance_ = false;
    ps_end_utt(ps_);
}

}  // namespace va::speech
