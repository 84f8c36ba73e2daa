// The tests' Deepgram stand-in as a process, for bench/conversation with `--stt deepgram`.
// Without --scenario, every Finalize gets the same final words, so that each callee turn is
// answered (bench/conversation/run.sh: what the server spends). With --scenario (a phone
// simulator scenario), it listens: it renders every utterance the scenario's callees can say, as
// the simulator does, and says each word when the callee has said it, plus --word-lag-ms
// (bench/conversation/quality.sh). Prints "listening on <ws url>" and runs until SIGTERM or SIGINT.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "media/mulaw.hpp"
#include "sim/utterances.hpp"
#include "support/deepgram_standin.hpp"

namespace {

// What the stand-in can hear: each rendered utterance that has words (flite voices).
std::vector<va::test::DeepgramStandinPhrase> phrasebook(const std::filesystem::path& scenario_path) {
    auto loaded = va::sim::load_scenario(scenario_path);
    if (auto* error = std::get_if<va::sim::ScenarioError>(&loaded)) throw std::runtime_error(error->message);
    const auto utterances = va::sim::render_utterances(std::get<va::sim::Scenario>(loaded), scenario_path.parent_path());
    std::vector<va::test::DeepgramStandinPhrase> phrases;
    for (const auto& [key, utterance] : utterances) {
        if (utterance.words.empty()) continue;
        va::test::DeepgramStandinPhrase phrase;
        phrase.text = key;
        phrase.pcm = va::media::decode_mulaw(utterance.mulaw);
        for (const auto& word : utterance.words) phrase.words.push_back({word.text, word.end});
        phrases.push_back(std::move(phrase));
    }
    return phrases;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"A local stand-in for Deepgram's live transcription WebSocket"};
    std::string scenario;
    int word_lag_ms = 250;
    int finalize_lag_ms = 100;
    app.add_option("--scenario", scenario, "Listen for what this simulator scenario's callees say")->check(CLI::ExistingFile);
    app.add_option("--word-lag-ms", word_lag_ms, "A word's result comes this long after its end was heard")->check(CLI::Range(0, 5000));
    app.add_option("--finalize-lag-ms", finalize_lag_ms, "A Finalize's result comes this long after it")->check(CLI::Range(0, 5000));
    CLI11_PARSE(app, argc, argv);

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the stand-in's thread starts: it inherits the mask
    va::test::DeepgramStandinScript script;
    if (scenario.empty()) {
        script.on_later_finalize = {"yes that works for me"};
    } else {
        try {
            script.phrases = phrasebook(scenario);
        } catch (const std::exception& e) {
            std::cerr << "deepgram_standin: " << e.what() << "\n";
            return 2;
        }
        script.word_lag = std::chrono::milliseconds(word_lag_ms);
        script.finalize_lag = std::chrono::milliseconds(finalize_lag_ms);
    }
    va::test::DeepgramStandin standin(script);
    std::cout << "listening on " << standin.base_url() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    const auto log = standin.log();
    std::cerr << log.audio_frames << " audio frames, " << log.count("Finalize") << " Finalize, " << log.spotted.size()
              << " utterances heard\n";
}
