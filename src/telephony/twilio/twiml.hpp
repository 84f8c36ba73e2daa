#pragma once
// TwiML: parsed by the phone simulator (it plays Twilio), built by our server's voice webhook.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace va::twilio {

struct StreamParameter {
    std::string name, value;
    bool operator==(const StreamParameter&) const = default;
};

// <Connect><Stream url=...>: the bidirectional Media Stream.
struct ConnectStream {
    std::string url;
    std::string name;
    std::string status_callback;
    std::vector<StreamParameter> parameters;  // document order
    bool operator==(const ConnectStream&) const = default;
};
struct Say {
    std::string text;
    std::string voice;
    std::string language;
    int loop = 1;  // 0 means "repeat until hangup" in Twilio
    bool operator==(const Say&) const = default;
};
struct Pause {
    int length_s = 1;
    bool operator==(const Pause&) const = default;
};
struct Hangup {
    bool operator==(const Hangup&) const = default;
};
struct Dial {
    std::string number;  // the text content, or the first <Number> child's; "" for <Client>/<Sip> targets
    bool operator==(const Dial&) const = default;
};
struct Redirect {
    std::string url;
    bool operator==(const Redirect&) const = default;
};
// Any other verb (Gather, Play, Record, Start, Reject...), kept so the caller can log what it skipped.
struct Unsupported {
    std::string verb;
    bool operator==(const Unsupported&) const = default;
};

using Verb = std::variant<ConnectStream, Say, Pause, Hangup, Dial, Redirect, Unsupported>;

struct TwimlDocument {
    std::vector<Verb> verbs;
};
struct TwimlError {
    std::string message;
};

// The root must be <Response>; its child elements become verbs in order. <Connect> must hold exactly
// one <Stream> with a non-empty url (anything else in it is an error, as we cannot honour it).
// <Parameter> needs a name. Pause length and Say loop default to 1 and must be non-negative
// integers. Text is trimmed of surrounding whitespace; a <Say> with SSML children gives their text.
// Malformed XML is a TwimlError; nothing here throws. DTDs are not processed (no entity expansion).
std::variant<TwimlDocument, TwimlError> parse_twiml(std::string_view xml);

// <?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="..."><Parameter name=".."
// value=".."/>...</Stream></Connect></Response>, with attribute values XML-escaped.
std::string build_connect_stream(std::string_view stream_url, const std::vector<StreamParameter>& parameters);

// <Response><Say>text</Say><Hangup/></Response>; an empty text gives just <Hangup/>.
std::string build_say_hangup(std::string_view text);

// <Response><Dial timeLimit="..">number</Dial></Response>: a live call redirected here is
// connected to `number` for at most `time_limit_s` seconds (a transfer is not open-ended).
std::string build_dial(std::string_view number, int time_limit_s);

// <Response><Hangup/></Response>
std::string build_hangup();

}  // namespace va::twilio
