#include "support/recognizer.hpp"

#include <pocketsphinx.h>

#include <fstream>
#include <stdexcept>

#include "media/resampler.hpp"
#include "support/temp_dir.hpp"

namespace va::test {

namespace {
constexpr const char* kModel = "/usr/share/pocketsphinx/model/en-us";
}

std::string recognize_phrase(std::span<const std::int16_t> pcm, const std::vector<std::string>& phrases) {
    TempDir dir;
    const auto grammar = dir.file("phrases.gram");
    {
        std::ofstream out(grammar);
        out << "#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = ";
        for (std::size_t i = 0; i < phrases.size(); ++i) out << (i ? " | " : "") << phrases[i];
        out << ";\n";
    }
    const std::string hmm = std::string(kModel) + "/en-us", dict = std::string(kModel) + "/cmudict-en-us.dict";
    cmd_ln_t* config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-dict", dict.c_str(), "-jsgf",
                                   grammar.c_str(), "-samprate", "16000", "-dither", "yes", "-seed", "1", "-logfn",
                                   "/dev/null", nullptr);
    if (!config) throw std::runtime_error("pocketsphinx: bad configuration");
    ps_decoder_t* decoder = ps_init(config);
    if (!decoder) {
        cmd_ln_free_r(config);
        throw std::runtime_error("pocketsphinx: cannot load the model from " + std::string(kModel));
    }
    std::vector<std::int16_t> audio(4800, 0);  // 0.3 s of silence first (FACTS.md: determinism)
    auto upsampled = media::resample(pcm, 8000, 16000);
    audio.insert(audio.end(), upsampled.begin(), upsampled.end());
    audio.resize(audio.size() + 4800, 0);
    ps_start_utt(decoder);
    ps_process_raw(decoder, audio.data(), audio.size(), FALSE, TRUE);
    ps_end_utt(decoder);
    std::int32_t score = 0;
    const char* hypothesis = ps_get_hyp(decoder, &score);
    std::string out = hypothesis ? hypothesis : "";
    ps_free(decoder);
    cmd_ln_free_r(config);
    return out;
}

}  // namespace va::test
