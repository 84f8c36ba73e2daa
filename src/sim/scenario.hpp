#pragma once
// The scenario file: how each dialed number behaves (keyed by the E.164 number, with a default
// entry), which REST and callback faults to inject, and the account-wide pacing. Parsed strictly:
// an unknown key or a wrong type is an error naming the JSON path, never a silent default.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "speech/voice.hpp"

namespace va::sim {

using Millis = std::chrono::milliseconds;

// One thing the scripted callee does, in order.
struct Step {
    enum class Kind {
        say,      // speak `text` (or the WAV at `wav`) when its trigger fires
        press,    // send DTMF `digits`
        silence,  // stay silent for `duration`
        hangup,   // hang up
    };
    enum class Trigger {
        agent_silent,     // the agent has spoken and then been silent for `delay`
        agent_speaking,   // `delay` after the agent starts speaking: a barge-in
        immediately,
    };
    Kind kind = Kind::say;
    Trigger trigger = Trigger::agent_silent;
    Millis delay{600};
    Millis duration{0};
    std::string text;
    std::string wav;
    std::string digits;
    // `say` with text: the voiced part lasts about this long (the voice's pace is adjusted), as a
    // short "uh-huh" or a drawn-out "mm-hm" would.
    std::optional<Millis> length;
    std::string label;  // the scenario author's name for what this is ("backchannel"), in the report
};

enum class Outcome { answered, busy, no_answer, failed };

// What the REST API does with a create request for this number.
struct RestFault {
    enum class Mode {
        none,
        too_many_requests,  // 429 / 20429, nothing placed
        server_error,       // 500, nothing placed
        server_error_placed,  // the call is placed, the answer is 500
        drop,               // the call is placed, the connection is closed without an answer
        delay,              // the call is placed, the answer comes after `delay`
    };
    Mode mode = Mode::none;
    Millis delay{0};
    int count = -1;  // how many create requests for this number are affected; -1 = all
    std::optional<Millis> for_duration;  // only requests this soon after the simulator started
};

struct CallbackFaults {
    bool duplicate = false;         // every callback is sent twice
    bool reorder = false;           // each callback is held back and sent after the next one
    Millis delay{0};                // every callback waits this long before it is sent
    std::vector<std::string> drop;  // events never sent: initiated, ringing, answered, completed
};

// What the line adds to the callee's audio before the agent's server hears it.
struct LineScenario {
    std::optional<double> noise_snr_db;  // white noise this far below the callee's speech level
    std::optional<double> echo_db;       // the agent's own audio, this loud (−20), back on the line
    Millis echo_delay_min{60};           // each call's echo delay is drawn from this range
    Millis echo_delay_max{200};

    bool quiet() const { return !noise_snr_db && !echo_db; }
};

struct NumberScenario {
    Millis ring{1000};
    Outcome outcome = Outcome::answered;
    std::string answered_by = "human";  // reported when MachineDetection is requested
    std::optional<Millis> hangup_after;  // the callee hangs up this long after answering
    speech::Voice voice;                 // for `say` steps with text
    std::vector<Step> script;
    LineScenario line;
    RestFault rest_fault;
    CallbackFaults callback_faults;
};

struct Scenario {
    double calls_per_second = 1.0;  // Twilio's default; calls above it are queued
    // Twilio's clock minus the machine's: its Date headers, call times and callback timestamps
    // run this far ahead (or behind, when negative), as a real provider's clock may.
    Millis clock_offset{0};
    std::vector<std::string> geo_blocked_prefixes;  // "+882": refused with 21215
    std::uint64_t seed = 1;  // of each call's line noise and echo delay, with the number: reproducible runs
    NumberScenario defaults;
    std::map<std::string, NumberScenario, std::less<>> numbers;

    const NumberScenario& for_number(std::string_view to) const;
};

struct ScenarioError {
    std::string message;  // "numbers.+15550001.script[2].say: expected a string"
};

std::variant<Scenario, ScenarioError> parse_scenario(std::string_view json);
// Reads and parses a file; the error names the file.
std::variant<Scenario, ScenarioError> load_scenario(const std::filesystem::path& path);

}  // namespace va::sim
