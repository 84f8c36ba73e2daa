#include "speech/engines.hpp"
#include "speech/tts.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <flite/flite.h>

#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

// The voices are separate libraries that flite.h does not declare.
extern "C" {
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_kal(const char* voxdir);
}

namespace va::speech {
namespace {

// ---- espeak-ng ----------------------------------------------------------------------------------
// espeak-ng keeps its voice, parameters and synth callback in process-global state, so every call
// into it happens under this one mutex, and the callback forwards to a sink that only exists while
// the mutex is held.
std::mutex espeak_mutex;
bool espeak_initialised = false;
int espeak_rate = 0;
std::string espeak_init_error;  // set once when initialisation failed; later calls fail the same way
const NativeSink* espeak_sink = nullptr;
std::exception_ptr espeak_sink_error;
bool espeak_stopped = false;

int espeak_forward(short* wav, int count, espeak_EVENT* /*events*/) {
    if (wav == nullptr || count <= 0 || espeak_sink == nullptr || espeak_stopped) return espeak_stopped ? 1 : 0;
    try {
        if (!(*espeak_sink)(std::span<const std::int16_t>(wav, static_cast<std::size_t>(count)), espeak_rate)) {
            espeak_stopped = true;
        }
    } catch (...) {  // never let an exception cross espeak's C frames
        espeak_sink_error = std::current_exception();
        espeak_stopped = true;
    }
    return espeak_stopped ? 1 : 0;  // non-zero asks espeak to stop synthesising
}

std::string espeak_status_message(espeak_ng_STATUS status) {
    char buffer[256] = {};
    espeak_ng_GetStatusCodeMessage(status, buffer, sizeof buffer);
    return buffer;
}

// Caller holds espeak_mutex. Uses the espeak_ng_* initialisation calls rather than
// espeak_Initialize: the latter exit()s the process when its data is missing, or (with
// espeakINITIALIZE_DONT_EXIT) reports success anyway. Synchronous mode with a callback is the
// fastest way to get audio out (FACTS.md: ~0.3 ms to the first chunk).
void espeak_init_locked() {
    if (espeak_initialised) return;
    if (!espeak_init_error.empty()) throw std::runtime_error(espeak_init_error);
    espeak_ng_InitializePath(nullptr);
    espeak_ng_ERROR_CONTEXT context = nullptr;
    auto status = espeak_ng_Initialize(&context);
    espeak_ng_ClearErrorContext(&context);
    if (status == ENS_OK) status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
    if (status != ENS_OK) {
        espeak_init_error = "espeak-ng cannot be initialised: " + espeak_status_message(status);
        throw std::runtime_error(espeak_init_error);
    }
    espeak_rate = espeak_ng_GetSampleRate();
    espeak_SetSynthCallback(espeak_forward);
    espeak_initialised = true;
}

void synthesize_espeak(const Voice& voice, const std::string& text, const NativeSink& sink) {
    std::lock_guard lock(espeak_mutex);
    espeak_init_locked();
    if (espeak_SetVoiceByName(voice.name.c_str()) != EE_OK)
        throw std::runtime_error("espeak-ng cannot load voice '" + voice.name + "'");
    // Set the rate on every call: a previous call may have changed the global value.
    const int wpm = voice.words_per_minute > 0 ? voice.words_per_minute : espeakRATE_NORMAL;
    espeak_SetParameter(espeakRATE, wpm, 0);

    espeak_sink = &sink;
    espeak_sink_error = nullptr;
    espeak_stopped = false;
    struct ClearSink {
        ~ClearSink() { espeak_sink = nullptr; }
    } clear_sink;
    const auto result =
        espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
    if (result != EE_OK) throw std::runtime_error("espeak-ng synthesis failed (error " + std::to_string(result) + ")");
    espeak_Synchronize();
    if (espeak_sink_error) std::rethrow_exception(espeak_sink_error);
}

// ---- flite --------------------------------------------------------------------------------------
// flite_init and voice registration touch global tables, and concurrent synthesis on one voice is
// not known to be safe: all flite calls happen under this mutex.
std::mutex flite_mutex;

struct FliteVoice {
    cst_voice* voice = nullptr;
    float duration_stretch = 1.0f;  // the voice's own value, the base for words_per_minute
};

// Caller holds flite_mutex. Voices are registered once and kept for the life of the process.
FliteVoice& flite_voice_locked(const std::string& name) {
    static std::once_flag init;
    std::call_once(init, [] { flite_init(); });
    static std::map<std::string, FliteVoice> voices;
    if (auto it = voices.find(name); it != voices.end()) return it->second;
    static const std::map<std::string, cst_voice* (*)(const char*)> registrars{
        {"rms", register_cmu_us_rms},
        {"awb", register_cmu_us_awb},
        {"slt", register_cmu_us_slt},
        {"kal", register_cmu_us_kal},
    };
    auto registrar = registrars.find(name);
    if (registrar == registrars.end()) throw std::runtime_error("flite has no voice '" + name + "'");
    cst_voice* voice = registrar->second(nullptr);
    if (voice == nullptr) throw std::runtime_error("flite cannot load voice '" + name + "'");
    const float stretch = flite_get_param_float(voice->features, "duration_stretch", 1.0f);
    return voices.emplace(name, FliteVoice{voice, stretch}).first->second;
}

// flite's natural pace, used to turn words_per_minute into a duration stretch.
constexpr float kFliteWordsPerMinute = 170.0f;
constexpr unsigned kFliteSeed = 1;

void synthesize_flite(const Voice& voice, const std::string& text, const NativeSink& sink, std::vector<NativeWord>* words) {
    std::vector<std::int16_t> samples;
    int rate = 0;
    {
        std::lock_guard lock(flite_mutex);
        auto& fv = flite_voice_locked(voice.name);
        // flite has no words-per-minute setting, only a duration stretch (> 1 is slower). Set it on
        // every call: it lives in the shared voice.
        float stretch = fv.duration_stretch;
        if (voice.words_per_minute > 0) stretch *= kFliteWordsPerMinute / static_cast<float>(voice.words_per_minute);
        flite_feat_set_float(fv.voice->features, "duration_stretch", stretch);
        // The clustergen voices (rms, awb, slt) draw excitation noise from rand(): reseed it so the
        // same text always gives the same audio (reproducible simulations and tests). Nothing else
        // in the project uses rand(); espeak-ng may, which only matters while both run at once.
        std::srand(kFliteSeed);
        cst_utterance* utterance = flite_synth_text(text.c_str(), fv.voice);
        const cst_wave* wave = utterance == nullptr ? nullptr : utt_wave(utterance);
        if (wave == nullptr) {
            if (utterance != nullptr) delete_utterance(utterance);
            throw std::runtime_error("flite synthesis failed with voice '" + voice.name + "'");
        }
        const int count = cst_wave_num_samples(wave);
        if (count > 0) samples.assign(cst_wave_samples(wave), cst_wave_samples(wave) + count);
        rate = cst_wave_sample_rate(wave);
        if (words != nullptr) {
            // A word ends where the last segment (phone) of its last syllable ends.
            for (const cst_item* word = relation_head(utt_relation(utterance, "Word")); word != nullptr;
                 word = item_next(word)) {
                words->push_back({item_feat_string(word, "name"),
                                  ffeature_float(word, "R:SylStructure.daughtern.daughtern.R:Segment.end")});
            }
        }
        delete_utterance(utterance);
    }
    if (!samples.empty()) sink(samples, rate);  // outside the lock: the sink is not flite's business
}

}  // namespace

std::optional<std::string> check_offline_voice(const Voice& voice) {
    try {
        if (voice.engine == Engine::flite) {
            std::lock_guard lock(flite_mutex);
            flite_voice_locked(voice.name);
        } else {
            std::lock_guard lock(espeak_mutex);
            espeak_init_locked();
            if (espeak_SetVoiceByName(voice.name.c_str()) != EE_OK) return "espeak-ng has no voice '" + voice.name + "'";
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return std::nullopt;
}

void synthesize_native(const Voice& voice, const std::string& text, const NativeSink& sink,
                       std::vector<NativeWord>* words) {
    voice.engine == Engine::espeak ? synthesize_espeak(voice, text, sink) : synthesize_flite(voice, text, sink, words);
}

std::string espeak_phonemes(const std::string& word) {
    std::lock_guard lock(espeak_mutex);
    espeak_init_locked();
    // The voice is global: synthesis sets its own on every call, and so does this.
    if (espeak_SetVoiceByName("en-us") != EE_OK) throw std::runtime_error("espeak-ng cannot load voice 'en-us'");
    const void* text = word.c_str();
    const char* phonemes = espeak_TextToPhonemes(&text, espeakCHARS_UTF8, '_' << 8);
    return phonemes ? phonemes : "";
}

}  // namespace va::speech
