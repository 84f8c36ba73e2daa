#pragma once
// The voices a deployment speaks with, by their "engine:voice" spelling: its own (--tts-voice)
// and any other a prompt asks for (ConversationOverrides::tts_voice). The app builds them; tests
// use OneVoice. Thread-safe.
#include <string>

#include "speech/tts.hpp"

namespace va::call {

class Voices {
public:
    virtual ~Voices() = default;
    // The voice `spec` names; the deployment's own for "" and for one it cannot make (the API
    // refuses such a prompt, but the deployment may have changed since the call was scheduled).
    virtual speech::TextToSpeech& get(const std::string& spec) = 0;
};

// The same voice whatever is asked for.
class OneVoice final : public Voices {
public:
    explicit OneVoice(speech::TextToSpeech& voice) : voice_(voice) {}
    speech::TextToSpeech& get(const std::string&) override { return voice_; }

private:
    speech::TextToSpeech& voice_;
};

}  // namespace va::call
