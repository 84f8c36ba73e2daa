#include "telephony/twilio/stream_message.hpp"

#include <algorithm>

#include <charconv>
#include <limits>
#include <optional>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "telephony/twilio/base64.hpp"

namespace va::twilio {

namespace json = boost::json;

namespace {

// Reads typed fields out of one JSON object, remembering the first problem as a readable message
// ("media.chunk must be a string of digits"). Every accessor returns false once anything failed.
class Reader {
public:
    Reader(const json::object& object, std::string path, std::string& error)
        : object_(object), path_(std::move(path)), error_(error) {}

    bool ok() const { return error_.empty(); }

    const json::value* find(std::string_view key) const { return object_.if_contains(key); }

    bool string(std::string_view key, std::string& out) {
        const json::value* v = required(key);
        if (!v) return false;
        if (!v->is_string()) return fail(key, "must be a string");
        out = std::string(v->get_string());
        return true;
    }

    // Twilio sends counters as decimal strings ("sequenceNumber":"3").
    bool uint_string(std::string_view key, std::uint64_t& out) {
        const json::value* v = required(key);
        if (!v) return false;
        if (!v->is_string()) return fail(key, "must be a string of digits");
        std::string_view s = v->get_string();
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return fail(key, "must be a string of digits");
        return true;
    }

    bool positive_int(std::string_view key, int& out) {
        const json::value* v = required(key);
        if (!v) return false;
        std::optional<long long> n;
        if (v->is_int64()) n = v->get_int64();
        if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
            n = static_cast<long long>(v->get_uint64());
        }
        if (!n || *n <= 0 || *n > std::numeric_limits<int>::max()) return fail(key, "must be a positive integer");
        out = static_cast<int>(*n);
        return true;
    }

    bool base64(std::string_view key, std::vector<std::uint8_t>& out) {
        std::string text;
        if (!string(key, text)) return false;
        auto bytes = base64_decode(text);
        if (!bytes) return fail(key, "is not valid base64");
        out = std::move(*bytes);
        return true;
    }

    // A nested object, or nullptr (with the error set).
    const json::object* object(std::string_view key) {
        const json::value* v = required(key);
        if (!v) return nullptr;
        if (!v->is_object()) {
            fail(key, "must be an object");
            return nullptr;
        }
        return &v->get_object();
    }

    std::string path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    bool fail(std::string_view key, std::string_view what) {
        if (error_.empty()) error_ = path(key) + " " + std::string(what);
        return false;
    }

private:
    const json::value* required(std::string_view key) {
        if (!ok()) return nullptr;
        const json::value* v = object_.if_contains(key);
        if (!v) fail(key, "is missing");
        return v;
    }

    const json::object& object_;
    std::string path_;
    std::string& error_;
};

// Parses text into an object and reads its "event"; the error is set when either fails.
std::optional<json::object> parse_object(std::string_view text, std::string& event, std::string& error,
                                         json::storage_ptr storage) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec, std::move(storage));
    if (ec) {
        error = "not JSON: " + ec.message();
        return std::nullopt;
    }
    if (!value.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    json::object object = std::move(value.get_object());
    Reader(object, "", error).string("event", event);
    if (!error.empty()) return std::nullopt;
    return object;
}

std::optional<Start> read_start(Reader& top, const std::string& stream_sid, std::string& error) {
    const json::object* o = top.object("start");
    if (!o) return std::nullopt;
    Reader r(*o, "start", error);
    Start start;
    std::string inner_sid;
    r.string("accountSid", start.account_sid);
    r.string("callSid", start.call_sid);
    r.string("streamSid", inner_sid);
    if (r.ok() && inner_sid != stream_sid) r.fail("streamSid", "differs from the top-level streamSid");
    start.stream_sid = stream_sid;

    start.tracks.clear();
    if (r.ok()) {
        const json::value* tracks = r.find("tracks");
        if (!tracks) {
            r.fail("tracks", "is missing");
        } else if (!tracks->is_array()) {
            r.fail("tracks", "must be an array of strings");
        } else {
            for (const json::value& t : tracks->get_array()) {
                if (!t.is_string()) {
                    r.fail("tracks", "must be an array of strings");
                    break;
                }
                start.tracks.emplace_back(t.get_string());
            }
        }
    }

    if (const json::object* format = r.object("mediaFormat")) {
        Reader f(*format, "start.mediaFormat", error);
        f.string("encoding", start.media_format.encoding);
        f.positive_int("sampleRate", start.media_format.sample_rate);
        f.positive_int("channels", start.media_format.channels);
    }

    if (r.ok()) {
        if (const json::value* params = r.find("customParameters")) {
            if (!params->is_object()) {
                r.fail("customParameters", "must be an object of strings");
            } else {
                for (const auto& kv : params->get_object()) {
                    if (!kv.value().is_string()) {
                        r.fail("customParameters." + std::string(kv.key()), "must be a string");
                        break;
                    }
                    start.custom_parameters.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
                }
            }
        }
    }
    if (!error.empty()) return std::nullopt;
    return start;
}

std::optional<InboundMessage> read_inbound_body(Reader& top, const std::string& event, const std::string& stream_sid,
                                                std::string& error) {
    if (event == "start") {
        auto start = read_start(top, stream_sid, error);
        if (!start) return std::nullopt;
        return InboundMessage{std::move(*start)};
    }
    const json::object* body = top.object(event);
    if (!body) return std::nullopt;
    Reader r(*body, event, error);
    InboundMessage message;
    if (event == "media") {
        Media media;
        r.string("track", media.track);
        r.uint_string("chunk", media.chunk);
        r.uint_string("timestamp", media.timestamp_ms);
        r.base64("payload", media.payload);
        message = std::move(media);
    } else if (event == "dtmf") {
        Dtmf dtmf;
        r.string("track", dtmf.track);
        r.string("digit", dtmf.digit);
        message = std::move(dtmf);
    } else if (event == "mark") {
        Mark mark;
        r.string("name", mark.name);
        message = std::move(mark);
    } else {  // "stop"
        Stop stop;
        r.string("accountSid", stop.account_sid);
        r.string("callSid", stop.call_sid);
        message = std::move(stop);
    }
    if (!error.empty()) return std::nullopt;
    return message;
}

std::string b64(const std::vector<std::uint8_t>& bytes) { return base64_encode(bytes); }

// Overload set for std::visit.
template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string to_json(const InboundMessage& message, std::uint64_t sequence_number, std::string_view stream_sid) {
    if (const auto* connected = std::get_if<Connected>(&message)) {
        return json::serialize(json::object{
            {"event", "connected"}, {"protocol", connected->protocol}, {"version", connected->version}});
    }
    json::object out;
    auto header = [&](std::string_view event) {
        out["event"] = event;
        out["sequenceNumber"] = std::to_string(sequence_number);
        out["streamSid"] = stream_sid;
    };
    std::visit(Overloaded{
                   [](const Connected&) {},
                   [&](const Start& s) {
                       header("start");
                       json::array tracks;
                       for (const auto& t : s.tracks) tracks.emplace_back(t);
                       json::object params;
                       for (const auto& [k, v] : s.custom_parameters) params[k] = v;
                       out["start"] = json::object{
                           {"accountSid", s.account_sid},
                           {"streamSid", stream_sid},
                           {"callSid", s.call_sid},
                           {"tracks", std::move(tracks)},
                           {"mediaFormat", json::object{{"encoding", s.media_format.encoding},
                                                        {"sampleRate", s.media_format.sample_rate},
                                                        {"channels", s.media_format.channels}}},
                           {"customParameters", std::move(params)},
                       };
                   },
                   [&](const Media& m) {
                       header("media");
                       out["media"] = json::object{{"track", m.track},
                                                   {"chunk", std::to_string(m.chunk)},
                                                   {"timestamp", std::to_string(m.timestamp_ms)},
                                                   {"payload", b64(m.payload)}};
                   },
                   [&](const Dtmf& d) {
                       header("dtmf");
                       out["dtmf"] = json::object{{"track", d.track}, {"digit", d.digit}};
                   },
                   [&](const Mark& m) {
                       header("mark");
                       out["mark"] = json::object{{"name", m.name}};
                   },
                   [&](const Stop& s) {
                       header("stop");
                       out["stop"] = json::object{{"accountSid", s.account_sid}, {"callSid", s.call_sid}};
                   },
               },
               message);
    return json::serialize(out);
}

std::variant<ParsedInbound, MessageError> parse_inbound(std::string_view text) {
    std::string error;
    std::string event;
    // A media frame is parsed ~50 times a second per call: its JSON lives in a stack buffer, not
    // in a dozen small heap allocations.
    unsigned char buffer[4096];
    json::monotonic_resource memory(buffer, sizeof buffer);
    auto object = parse_object(text, event, error, &memory);
    if (!object) return MessageError{std::move(error)};

    if (event == "connected") {
        Connected connected;
        Reader r(*object, "", error);
        r.string("protocol", connected.protocol);
        r.string("version", connected.version);
        if (!error.empty()) return MessageError{std::move(error)};
        return ParsedInbound{std::move(connected), "", 0};
    }
    if (event != "start" && event != "media" && event != "dtmf" && event != "mark" && event != "stop") {
        return MessageError{"unknown event \"" + event + "\""};
    }
    ParsedInbound parsed{Connected{}, "", 0};
    Reader top(*object, "", error);
    top.string("streamSid", parsed.stream_sid);
    top.uint_string("sequenceNumber", parsed.sequence_number);
    if (!error.empty()) return MessageError{std::move(error)};
    auto message = read_inbound_body(top, event, parsed.stream_sid, error);
    if (!message) return MessageError{std::move(error)};
    parsed.message = std::move(*message);
    return parsed;
}

namespace {
// Text json::serialize writes as it is: printable ASCII without quotes or backslashes.
bool verbatim(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; });
}
}  // namespace

std::string to_json(const OutboundMessage& message, std::string_view stream_sid) {
    // The agent's audio goes out ten messages a second per call, each with a mark: those two are
    // written directly, the same text the DOM below serializes to (tested), without building it.
    if (verbatim(stream_sid)) {
        if (const auto* media = std::get_if<OutboundMedia>(&message)) {
            std::string text;
            text.reserve(60 + stream_sid.size() + (media->payload.size() + 2) / 3 * 4);
            text.append(R"({"event":"media","streamSid":")").append(stream_sid).append(R"(","media":{"payload":")");
            base64_append(text, media->payload);
            return text.append(R"("}})");
        }
        if (const auto* mark = std::get_if<OutboundMark>(&message); mark && verbatim(mark->name)) {
            std::string text(R"({"event":"mark","streamSid":")");
            return text.append(stream_sid).append(R"(","mark":{"name":")").append(mark->name).append(R"("}})");
        }
    }
    json::object out;
    std::visit(Overloaded{
                   [&](const OutboundMedia& m) {
                       out = {{"event", "media"}, {"streamSid", stream_sid}, {"media", {{"payload", b64(m.payload)}}}};
                   },
                   [&](const OutboundMark& m) {
                       out = {{"event", "mark"}, {"streamSid", stream_sid}, {"mark", {{"name", m.name}}}};
                   },
                   [&](const Clear&) { out = {{"event", "clear"}, {"streamSid", stream_sid}}; },
               },
               message);
    return json::serialize(out);
}

std::variant<ParsedOutbound, MessageError> parse_outbound(std::string_view text) {
    std::string error;
    std::string event;
    // A media frame is parsed ~50 times a second per call: its JSON lives in a stack buffer, not
    // in a dozen small heap allocations.
    unsigned char buffer[4096];
    json::monotonic_resource memory(buffer, sizeof buffer);
    auto object = parse_object(text, event, error, &memory);
    if (!object) return MessageError{std::move(error)};
    if (event != "media" && event != "mark" && event != "clear") {
        return MessageError{"unknown event \"" + event + "\""};
    }
    ParsedOutbound parsed{Clear{}, ""};
    Reader top(*object, "", error);
    top.string("streamSid", parsed.stream_sid);
    if (event == "media") {
        if (const json::object* body = top.object("media")) {
            OutboundMedia media;
            Reader(*body, "media", error).base64("payload", media.payload);
            parsed.message = std::move(media);
        }
    } else if (event == "mark") {
        if (const json::object* body = top.object("mark")) {
            OutboundMark mark;
            Reader(*body, "mark", error).string("name", mark.name);
            parsed.message = std::move(mark);
        }
    }
    if (!error.empty()) return MessageError{std::move(error)};
    return parsed;
}

}  // namespace va::twilio
