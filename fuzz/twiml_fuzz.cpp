// The TwiML builder's escaping: any URL and parameter text must come out as XML that parses back
// to exactly that text (Twilio would otherwise see another value, or none).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/twilio/twiml.hpp"

using namespace va::twilio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Fields separated by NUL (which XML cannot carry): url, then name/value pairs.
    std::vector<std::string> fields(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            fields.emplace_back();
        } else {
            fields.back() += static_cast<char>(data[i]);
        }
    }
    if (fields[0].empty()) return 0;
    std::vector<StreamParameter> parameters;
    for (std::size_t i = 1; i + 1 < fields.size(); i += 2) {
        if (fields[i].empty()) continue;  // <Parameter> needs a name
        parameters.push_back({fields[i], fields[i + 1]});
    }
    auto parsed = parse_twiml(build_connect_stream(fields[0], parameters));
    auto* doc = std::get_if<TwimlDocument>(&parsed);
    if (!doc || doc->verbs.size() != 1) __builtin_trap();
    auto* stream = std::get_if<ConnectStream>(&doc->verbs[0]);
    if (!stream || stream->url != fields[0] || stream->parameters != parameters) __builtin_trap();
    return 0;
}
