// A TTS worker process for the tests (serve runs `voiceagent tts-worker`): argv[1] is the voice.
#include <iostream>

#include "speech/tts_worker.hpp"

int main(int argc, char** argv) {
    const auto voice = argc == 2 ? va::speech::parse_voice(argv[1]) : std::nullopt;
    if (!voice) {
        std::cerr << "usage: tts_worker_stub espeak:<voice>|flite:<voice>\n";
        return 2;
    }
    return va::speech::run_tts_worker(*voice, 0, 1);
}
