// The tests' Deepgram stand-in as a process, for bench/conversation with `--stt deepgram`: every
// Finalize gets the same final words, so that each callee turn is answered. Prints
// "listening on <ws url>" and runs until SIGTERM or SIGINT.
#include <csignal>
#include <iostream>

#include "support/deepgram_standin.hpp"

int main() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the stand-in's thread starts: it inherits the mask
    va::test::DeepgramStandinScript script;
    script.on_later_finalize = {"yes that works for me"};
    va::test::DeepgramStandin standin(script);
    std::cout << "listening on " << standin.base_url() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    const auto log = standin.log();
    std::cerr << log.audio_frames << " audio frames, " << log.count("Finalize") << " Finalize\n";
}
