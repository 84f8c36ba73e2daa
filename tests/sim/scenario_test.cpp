#include "sim/scenario.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace va::sim {
namespace {

Scenario parse_ok(std::string_view json) {
    auto result = parse_scenario(json);
    if (auto* e = std::get_if<ScenarioError>(&result)) ADD_FAILURE() << e->message;
    return std::get<Scenario>(std::move(result));
}

std::string parse_error(std::string_view json) {
    auto result = parse_scenario(json);
    if (std::holds_alternative<Scenario>(result)) return "(parsed)";
    return std::get<ScenarioError>(result).message;
}

TEST(SimScenario, EmptyObjectGivesTwilioDefaults) {
    auto s = parse_ok("{}");
    EXPECT_EQ(s.calls_per_second, 1.0);
    EXPECT_EQ(s.defaults.outcome, Outcome::answered);
    EXPECT_EQ(s.defaults.ring, std::chrono::milliseconds(1000));
    EXPECT_TRUE(s.defaults.script.empty());
    EXPECT_EQ(&s.for_number("+15550001111"), &s.defaults);
}

TEST(SimScenario, NumbersInheritTheDefaultAndOverrideWhatTheyGive) {
    auto s = parse_ok(R"({
      "callsPerSecond": 5, "geoBlockedPrefixes": ["+882"],
      "default": {"ringSeconds": 2.5, "voice": "flite:awb", "hangupAfterSeconds": 30,
                  "script": [{"say": "hello"}, {"say": "wait", "afterAgentStartsMs": 1000},
                             {"press": "1#"}, {"silenceMs": 8000}, {"hangup": true}]},
      "numbers": {
        "+15550002222": {"outcome": "busy", "callbackFaults": {"drop": ["ringing"], "reorder": true}},
        "+15550003333": {"answeredBy": "machine_start", "restFault": {"mode": "delay", "delayMs": 500, "count": 1},
                         "script": [{"say": "yes", "immediately": true}]}
      }})");
    EXPECT_EQ(s.calls_per_second, 5.0);
    ASSERT_EQ(s.geo_blocked_prefixes.size(), 1u);
    EXPECT_EQ(s.defaults.ring, std::chrono::milliseconds(2500));
    EXPECT_EQ(s.defaults.voice.name, "awb");
    ASSERT_EQ(s.defaults.script.size(), 5u);
    EXPECT_EQ(s.defaults.script[0].trigger, Step::Trigger::agent_silent);
    EXPECT_EQ(s.defaults.script[0].delay, std::chrono::milliseconds(600));
    EXPECT_EQ(s.defaults.script[1].trigger, Step::Trigger::agent_speaking);
    EXPECT_EQ(s.defaults.script[1].delay, std::chrono::milliseconds(1000));
    EXPECT_EQ(s.defaults.script[2].kind, Step::Kind::press);
    EXPECT_EQ(s.defaults.script[3].duration, std::chrono::milliseconds(8000));
    EXPECT_EQ(s.defaults.script[4].kind, Step::Kind::hangup);

    const auto& busy = s.for_number("+15550002222");
    EXPECT_EQ(busy.outcome, Outcome::busy);
    EXPECT_EQ(busy.ring, std::chrono::milliseconds(2500));  // inherited
    EXPECT_EQ(busy.script.size(), 5u);                      // inherited
    EXPECT_TRUE(busy.callback_faults.reorder);
    EXPECT_EQ(busy.callback_faults.drop, std::vector<std::string>{"ringing"});

    const auto& machine = s.for_number("+15550003333");
    EXPECT_EQ(machine.answered_by, "machine_start");
    EXPECT_EQ(machine.rest_fault.mode, RestFault::Mode::delay);
    EXPECT_EQ(machine.rest_fault.count, 1);
    EXPECT_EQ(machine.rest_fault.for_duration, std::nullopt);
    ASSERT_EQ(machine.script.size(), 1u);  // replaced, not appended
    EXPECT_EQ(machine.script[0].trigger, Step::Trigger::immediately);
}

TEST(SimScenario, ErrorsNameThePathAndTheProblem) {
    EXPECT_NE(parse_error("{").find("not valid JSON"), std::string::npos);
    EXPECT_EQ(parse_error("[]"), "scenario: expected an object");
    EXPECT_EQ(parse_error(R"({"colour": 1})"), "scenario.colour: unknown key");
    EXPECT_EQ(parse_error(R"({"callsPerSecond": "fast"})"), "callsPerSecond: expected a number");
    EXPECT_EQ(parse_error(R"({"callsPerSecond": 0})"), "callsPerSecond: must be between 0.01 and 1000");
    EXPECT_EQ(parse_error(R"({"default": {"outcome": "maybe"}})"),
              "default.outcome: expected answered, busy, no-answer or failed");
    EXPECT_EQ(parse_error(R"({"numbers": {"5550001": {}}})"),
              "numbers.5550001: keys must be E.164 numbers like +15551230001");
    EXPECT_EQ(parse_error(R"({"default": {"script": [{"say": "a", "press": "1"}]}})"),
              "default.script[0]: needs exactly one of say, wav, press, silenceMs, hangup");
    EXPECT_EQ(parse_error(R"({"default": {"script": [{"press": "12x"}]}})"),
              "default.script[0].press: expected digits 0-9, *, # or w (up to 32)");
    EXPECT_EQ(parse_error(R"({"default": {"script": [{"say": "a", "afterAgentStartsMs": 5, "immediately": true}]}})"),
              "default.script[0]: give at most one of afterAgentSilenceMs, afterAgentStartsMs, immediately");
    EXPECT_EQ(parse_error(R"({"default": {"script": [{"hangup": true, "afterAgentSilenceMs": 5}]}})"),
              "default.script[0]: silenceMs and hangup steps run in order and take no trigger");
    EXPECT_EQ(parse_error(R"({"default": {"voice": "festival:x"}})"),
              "default.voice: expected flite:rms|awb|slt|kal or espeak:<voice>");
    EXPECT_EQ(parse_error(R"({"default": {"restFault": {"mode": "delay"}}})"),
              "default.restFault.delayMs: required for mode delay");
    EXPECT_EQ(parse_error(R"({"default": {"restFault": {"mode": "429", "forMs": 0}}})"),
              "default.restFault.forMs: must be between 1 and 3.6e+06");
    EXPECT_EQ(parse_error(R"({"default": {"callbackFaults": {"drop": ["hungup"]}}})"),
              "default.callbackFaults.drop[0]: expected initiated, ringing, answered or completed");
    EXPECT_EQ(parse_error(R"({"default": {"answeredBy": "robot"}})"),
              "default.answeredBy: expected one of Twilio's AnsweredBy values");
}

TEST(SimScenario, LabelsLengthsAndTheLine) {
    auto s = parse_ok(R"({"seed": 7, "default": {
      "line": {"noiseSnrDb": 10, "echoDb": -20, "echoDelayMs": [60, 200]},
      "script": [{"say": "uh-huh", "afterAgentStartsMs": 900, "lengthMs": 450, "label": "backchannel"}]}})");
    EXPECT_EQ(s.seed, 7u);
    EXPECT_EQ(s.defaults.line.noise_snr_db, 10.0);
    EXPECT_EQ(s.defaults.line.echo_db, -20.0);
    EXPECT_EQ(s.defaults.line.echo_delay_min, std::chrono::milliseconds(60));
    EXPECT_EQ(s.defaults.line.echo_delay_max, std::chrono::milliseconds(200));
    EXPECT_FALSE(s.defaults.line.quiet());
    EXPECT_TRUE(parse_ok("{}").defaults.line.quiet());
    ASSERT_EQ(s.defaults.script.size(), 1u);
    EXPECT_EQ(s.defaults.script[0].length, std::chrono::milliseconds(450));
    EXPECT_EQ(s.defaults.script[0].label, "backchannel");

    EXPECT_EQ(parse_error(R"({"default": {"script": [{"wav": "a.wav", "lengthMs": 300}]}})"),
              "default.script[0].lengthMs: only a say step with text has a length");
    EXPECT_EQ(parse_error(R"({"default": {"script": [{"say": "a", "lengthMs": 20}]}})"),
              "default.script[0].lengthMs: must be between 100 and 10000");
    EXPECT_EQ(parse_error(R"({"default": {"line": {"echoDelayMs": [200, 60]}}})"),
              "default.line.echoDelayMs: max must not be below min");
    EXPECT_EQ(parse_error(R"({"default": {"line": {"echoDelayMs": 60}}})"),
              "default.line.echoDelayMs: expected [min, max]");
    EXPECT_EQ(parse_error(R"({"default": {"line": {"echoDb": 6}}})"), "default.line.echoDb: must be between -60 and 0");
    EXPECT_EQ(parse_error(R"({"default": {"line": {"hum": 1}}})"), "default.line.hum: unknown key");
}

TEST(SimScenario, AFaultCanLastForATime) {
    auto parsed = parse_scenario(R"({"default": {"restFault": {"mode": "429", "forMs": 60000}}})");
    ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
    EXPECT_EQ(std::get<Scenario>(parsed).defaults.rest_fault.for_duration, std::chrono::milliseconds(60000));
}

TEST(SimScenario, LoadNamesTheFile) {
    test::TempDir dir;
    auto missing = load_scenario(dir.path() / "nope.json");
    ASSERT_TRUE(std::holds_alternative<ScenarioError>(missing));
    EXPECT_NE(std::get<ScenarioError>(missing).message.find("nope.json: cannot be read"), std::string::npos);

    std::ofstream(dir.file("bad.json")) << R"({"default": {"ringSeconds": -1}})";
    auto bad = load_scenario(dir.path() / "bad.json");
    ASSERT_TRUE(std::holds_alternative<ScenarioError>(bad));
    EXPECT_NE(std::get<ScenarioError>(bad).message.find("bad.json: default.ringSeconds: must be between 0 and 600"),
              std::string::npos);
}

}  // namespace
}  // namespace va::sim
