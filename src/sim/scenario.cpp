#include "sim/scenario.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

namespace va::sim {

namespace json = boost::json;

namespace {

// Thrown inside the parser only; parse_scenario turns it into a value.
struct Invalid {
    std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw Invalid{path + ": " + what}; }

const json::object& as_object(const json::value& v, const std::string& path) {
    if (!v.is_object()) fail(path, "expected an object");
    return v.get_object();
}

void only_keys(const json::object& o, const std::string& path, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : o) {
        bool known = false;
        for (auto a : allowed) known = known || key == a;
        if (!known) fail(path + "." + std::string(key), "unknown key");
    }
}

std::string get_string(const json::value& v, const std::string& path) {
    if (!v.is_string()) fail(path, "expected a string");
    return std::string(v.get_string());
}

double get_number(const json::value& v, const std::string& path, double min, double max) {
    if (!v.is_number()) fail(path, "expected a number");
    double d = v.to_number<double>();
    if (!std::isfinite(d) || d < min || d > max) {
        std::ostringstream range;
        range << "must be between " << min << " and " << max;
        fail(path, range.str());
    }
    return d;
}

Millis seconds_to_ms(double s) { return Millis(static_cast<std::int64_t>(std::llround(s * 1000))); }

bool get_bool(const json::value& v, const std::string& path) {
    if (!v.is_bool()) fail(path, "expected true or false");
    return v.get_bool();
}

Outcome parse_outcome(const std::string& s, const std::string& path) {
    if (s == "answered") return Outcome::answered;
    if (s == "busy") return Outcome::busy;
    if (s == "no-answer") return Outcome::no_answer;
    if (s == "failed") return Outcome::failed;
    fail(path, "expected answered, busy, no-answer or failed");
}

const std::set<std::string, std::less<>> kAnsweredBy = {"human", "machine_start", "machine_end_beep",
                                                        "machine_end_silence", "machine_end_other", "fax", "unknown"};
const std::set<std::string, std::less<>> kEvents = {"initiated", "ringing", "answered", "completed"};

bool valid_digits(std::string_view d) {
    if (d.empty() || d.size() > 32) return false;
    for (char c : d) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '*' && c != '#' && c != 'w') return false;
    }
    return true;
}

Step parse_step(const json::value& v, const std::string& path) {
    const auto& o = as_object(v, path);
    only_keys(o, path, {"say", "wav", "press", "silenceMs", "hangup", "afterAgentSilenceMs", "afterAgentStartsMs",
                        "immediately", "lengthMs", "label"});
    Step step;
    int actions = 0;
    if (auto* say = o.if_contains("say")) {
        step.text = get_string(*say, path + ".say");
        if (step.text.empty()) fail(path + ".say", "must not be empty");
        ++actions;
    }
    if (auto* wav = o.if_contains("wav")) {
        step.wav = get_string(*wav, path + ".wav");
        ++actions;
    }
    if (auto* press = o.if_contains("press")) {
        step.kind = Step::Kind::press;
        step.digits = get_string(*press, path + ".press");
        if (!valid_digits(step.digits)) fail(path + ".press", "expected digits 0-9, *, # or w (up to 32)");
        ++actions;
    }
    if (auto* silence = o.if_contains("silenceMs")) {
        step.kind = Step::Kind::silence;
        step.duration = Millis(static_cast<std::int64_t>(get_number(*silence, path + ".silenceMs", 0, 3'600'000)));
        step.trigger = Step::Trigger::immediately;
        ++actions;
    }
    if (auto* hangup = o.if_contains("hangup")) {
        if (!get_bool(*hangup, path + ".hangup")) fail(path + ".hangup", "must be true");
        step.kind = Step::Kind::hangup;
        step.trigger = Step::Trigger::immediately;
        ++actions;
    }
    if (actions != 1) fail(path, "needs exactly one of say, wav, press, silenceMs, hangup");

    int triggers = 0;
    if (auto* t = o.if_contains("afterAgentSilenceMs")) {
        step.trigger = Step::Trigger::agent_silent;
        step.delay = Millis(static_cast<std::int64_t>(get_number(*t, path + ".afterAgentSilenceMs", 0, 600'000)));
        ++triggers;
    }
    if (auto* t = o.if_contains("afterAgentStartsMs")) {
        step.trigger = Step::Trigger::agent_speaking;
        step.delay = Millis(static_cast<std::int64_t>(get_number(*t, path + ".afterAgentStartsMs", 0, 600'000)));
        ++triggers;
    }
    if (auto* t = o.if_contains("immediately")) {
        if (!get_bool(*t, path + ".immediately")) fail(path + ".immediately", "must be true");
        step.trigger = Step::Trigger::immediately;
        ++triggers;
    }
    if (triggers > 1) fail(path, "give at most one of afterAgentSilenceMs, afterAgentStartsMs, immediately");
    if (auto* l = o.if_contains("lengthMs")) {
        if (step.text.empty()) fail(path + ".lengthMs", "only a say step with text has a length");
        step.length = Millis(static_cast<std::int64_t>(get_number(*l, path + ".lengthMs", 100, 10'000)));
    }
    if (auto* l = o.if_contains("label")) step.label = get_string(*l, path + ".label");
    if (triggers == 1 && (step.kind == Step::Kind::silence || step.kind == Step::Kind::hangup))
        fail(path, "silenceMs and hangup steps run in order and take no trigger");
    return step;
}

RestFault parse_rest_fault(const json::value& v, const std::string& path) {
    const auto& o = as_object(v, path);
    only_keys(o, path, {"mode", "delayMs", "count", "forMs"});
    RestFault fault;
    auto* mode = o.if_contains("mode");
    if (!mode) fail(path + ".mode", "missing");
    auto m = get_string(*mode, path + ".mode");
    if (m == "429") fault.mode = RestFault::Mode::too_many_requests;
    else if (m == "500") fault.mode = RestFault::Mode::server_error;
    else if (m == "500-placed") fault.mode = RestFault::Mode::server_error_placed;
    else if (m == "drop") fault.mode = RestFault::Mode::drop;
    else if (m == "delay") fault.mode = RestFault::Mode::delay;
    else if (m == "none") fault.mode = RestFault::Mode::none;
    else fail(path + ".mode", "expected 429, 500, 500-placed, drop, delay or none");
    if (auto* d = o.if_contains("delayMs"))
        fault.delay = Millis(static_cast<std::int64_t>(get_number(*d, path + ".delayMs", 0, 600'000)));
    if (fault.mode == RestFault::Mode::delay && fault.delay.count() == 0) fail(path + ".delayMs", "required for mode delay");
    if (auto* c = o.if_contains("count")) fault.count = static_cast<int>(get_number(*c, path + ".count", 1, 1'000'000));
    if (auto* f = o.if_contains("forMs"))
        fault.for_duration = Millis(static_cast<std::int64_t>(get_number(*f, path + ".forMs", 1, 3'600'000)));
    return fault;
}

CallbackFaults parse_callback_faults(const json::value& v, const std::string& path) {
    const auto& o = as_object(v, path);
    only_keys(o, path, {"duplicate", "reorder", "delayMs", "drop"});
    CallbackFaults faults;
    if (auto* d = o.if_contains("duplicate")) faults.duplicate = get_bool(*d, path + ".duplicate");
    if (auto* r = o.if_contains("reorder")) faults.reorder = get_bool(*r, path + ".reorder");
    if (auto* d = o.if_contains("delayMs"))
        faults.delay = Millis(static_cast<std::int64_t>(get_number(*d, path + ".delayMs", 0, 600'000)));
    if (auto* drop = o.if_contains("drop")) {
        if (!drop->is_array()) fail(path + ".drop", "expected an array of event names");
        for (std::size_t i = 0; i < drop->get_array().size(); ++i) {
            auto p = path + ".drop[" + std::to_string(i) + "]";
            auto e = get_string(drop->get_array()[i], p);
            if (!kEvents.contains(e)) fail(p, "expected initiated, ringing, answered or completed");
            faults.drop.push_back(e);
        }
    }
    return faults;
}

LineScenario parse_line(const json::value& v, const std::string& path) {
    const auto& o = as_object(v, path);
    only_keys(o, path, {"noiseSnrDb", "echoDb", "echoDelayMs"});
    LineScenario line;
    if (auto* n = o.if_contains("noiseSnrDb")) line.noise_snr_db = get_number(*n, path + ".noiseSnrDb", -10, 60);
    if (auto* e = o.if_contains("echoDb")) line.echo_db = get_number(*e, path + ".echoDb", -60, 0);
    if (auto* d = o.if_contains("echoDelayMs")) {
        const auto p = path + ".echoDelayMs";
        if (!d->is_array() || d->get_array().size() != 2) fail(p, "expected [min, max]");
        line.echo_delay_min = Millis(static_cast<std::int64_t>(get_number(d->get_array()[0], p + "[0]", 0, 2'000)));
        line.echo_delay_max = Millis(static_cast<std::int64_t>(get_number(d->get_array()[1], p + "[1]", 0, 2'000)));
        if (line.echo_delay_max < line.echo_delay_min) fail(p, "max must not be below min");
    }
    return line;
}

// Fields absent from `v` keep their value in `out` (a number's entry starts as a copy of the default).
void parse_entry(const json::value& v, const std::string& path, NumberScenario& out) {
    const auto& o = as_object(v, path);
    only_keys(o, path, {"ringSeconds", "outcome", "answeredBy", "hangupAfterSeconds", "voice", "script", "line",
                        "restFault", "callbackFaults"});
    if (auto* r = o.if_contains("ringSeconds")) out.ring = seconds_to_ms(get_number(*r, path + ".ringSeconds", 0, 600));
    if (auto* x = o.if_contains("outcome")) out.outcome = parse_outcome(get_string(*x, path + ".outcome"), path + ".outcome");
    if (auto* a = o.if_contains("answeredBy")) {
        out.answered_by = get_string(*a, path + ".answeredBy");
        if (!kAnsweredBy.contains(out.answered_by)) fail(path + ".answeredBy", "expected one of Twilio's AnsweredBy values");
    }
    if (auto* h = o.if_contains("hangupAfterSeconds"))
        out.hangup_after = seconds_to_ms(get_number(*h, path + ".hangupAfterSeconds", 0, 86'400));
    if (auto* voice = o.if_contains("voice")) {
        auto spec = get_string(*voice, path + ".voice");
        auto parsed = speech::parse_voice(spec);
        if (!parsed) fail(path + ".voice", "expected flite:rms|awb|slt|kal or espeak:<voice>");
        out.voice = *parsed;
    }
    if (auto* script = o.if_contains("script")) {
        if (!script->is_array()) fail(path + ".script", "expected an array of steps");
        out.script.clear();
        for (std::size_t i = 0; i < script->get_array().size(); ++i)
            out.script.push_back(parse_step(script->get_array()[i], path + ".script[" + std::to_string(i) + "]"));
    }
    if (auto* l = o.if_contains("line")) out.line = parse_line(*l, path + ".line");
    if (auto* f = o.if_contains("restFault")) out.rest_fault = parse_rest_fault(*f, path + ".restFault");
    if (auto* f = o.if_contains("callbackFaults")) out.callback_faults = parse_callback_faults(*f, path + ".callbackFaults");
}

bool is_e164(std::string_view s) {
    if (s.size() < 3 || s.size() > 16 || s[0] != '+') return false;
    for (char c : s.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

Scenario parse(const json::value& root) {
    const auto& o = as_object(root, "scenario");
    only_keys(o, "scenario", {"callsPerSecond", "clockOffsetMs", "geoBlockedPrefixes", "seed", "default", "numbers"});
    Scenario scenario;
    if (auto* s = o.if_contains("seed")) scenario.seed = static_cast<std::uint64_t>(get_number(*s, "seed", 0, 1e15));
    if (auto* c = o.if_contains("clockOffsetMs")) {
        scenario.clock_offset = Millis(static_cast<std::int64_t>(get_number(*c, "clockOffsetMs", -86'400'000, 86'400'000)));
    }
    if (auto* c = o.if_contains("callsPerSecond")) scenario.calls_per_second = get_number(*c, "callsPerSecond", 0.01, 1000);
    if (auto* g = o.if_contains("geoBlockedPrefixes")) {
        if (!g->is_array()) fail("geoBlockedPrefixes", "expected an array of strings");
        for (std::size_t i = 0; i < g->get_array().size(); ++i) {
            auto p = "geoBlockedPrefixes[" + std::to_string(i) + "]";
            auto prefix = get_string(g->get_array()[i], p);
            if (prefix.size() < 2 || prefix[0] != '+') fail(p, "expected a prefix like +882");
            scenario.geo_blocked_prefixes.push_back(prefix);
        }
    }
    if (auto* d = o.if_contains("default")) parse_entry(*d, "default", scenario.defaults);
    if (auto* n = o.if_contains("numbers")) {
        const auto& numbers = as_object(*n, "numbers");
        for (const auto& [number, entry] : numbers) {
            auto path = "numbers." + std::string(number);
            if (!is_e164(number)) fail(path, "keys must be E.164 numbers like +15551230001");
            NumberScenario s = scenario.defaults;
            parse_entry(entry, path, s);
            scenario.numbers.emplace(std::string(number), std::move(s));
        }
    }
    return scenario;
}

}  // namespace

const NumberScenario& Scenario::for_number(std::string_view to) const {
    auto it = numbers.find(to);
    return it == numbers.end() ? defaults : it->second;
}

std::variant<Scenario, ScenarioError> parse_scenario(std::string_view text) {
    boost::system::error_code ec;
    auto root = json::parse(text, ec);
    if (ec) return ScenarioError{"not valid JSON: " + ec.message()};
    try {
        return parse(root);
    } catch (const Invalid& e) {
        return ScenarioError{e.message};
    }
}

std::variant<Scenario, ScenarioError> load_scenario(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ScenarioError{path.string() + ": cannot be read"};
    std::ostringstream text;
    text << in.rdbuf();
    auto result = parse_scenario(text.str());
    if (auto* error = std::get_if<ScenarioError>(&result)) error->message = path.string() + ": " + error->message;
    return result;
}

}  // namespace va::sim
