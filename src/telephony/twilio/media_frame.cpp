#include "telephony/twilio/media_frame.hpp"

#include <algorithm>

namespace va::twilio {

namespace {

// A cursor over the frame's text. Every reader returns false at anything outside the subset of
// JSON it takes (which is then parse_inbound's to judge).
class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) ++at_;
    }
    bool take(char c) {
        skip_space();
        if (at_ >= text_.size() || text_[at_] != c) return false;
        ++at_;
        return true;
    }
    bool peek(char c) {
        skip_space();
        return at_ < text_.size() && text_[at_] == c;
    }
    bool at_end() {
        skip_space();
        return at_ == text_.size();
    }
    // A string without escapes, control characters or non-ASCII bytes (those are parse_inbound's).
    bool string(std::string_view& out) {
        if (!take('"')) return false;
        const auto start = at_;
        for (; at_ < text_.size(); ++at_) {
            const auto c = static_cast<unsigned char>(text_[at_]);
            if (c == '"') {
                out = text_.substr(start, at_ - start);
                ++at_;
                return true;
            }
            if (c == '\\' || c < 0x20 || c >= 0x80) return false;
        }
        return false;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

bool digits(std::string_view s) {
    return !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One field of an object: a known key's value is kept (a second one means a duplicate key, left to
// parse_inbound); an unknown key's string is skipped.
struct Field {
    std::string_view name;
    std::optional<std::string_view> value;
};

template <std::size_t N>
bool keep(Field (&fields)[N], std::string_view key, std::string_view value) {
    for (auto& f : fields) {
        if (f.name != key) continue;
        if (f.value) return false;
        f.value = value;
    }
    return true;
}

// An object of string fields, `{"key": "...", ...}`; known keys' values kept in `fields`.
template <std::size_t N>
bool string_object(Scanner& in, Field (&fields)[N]) {
    if (!in.take('{')) return false;
    if (in.take('}')) return true;
    do {
        std::string_view key, value;
        if (!in.string(key) || !in.take(':') || !in.string(value) || !keep(fields, key, value)) return false;
    } while (in.take(','));
    return in.take('}');
}

// `{"event": E, "sequenceNumber": "...", "streamSid": S, E: {...}}` (any order, other string
// fields ignored) for this stream, the sequence number in digits; `body` gets E's fields.
template <std::size_t N>
bool frame_of(std::string_view json, std::string_view event, std::string_view stream_sid, Field (&body)[N]) {
    Scanner in(json);
    Field top[] = {{"event", {}}, {"sequenceNumber", {}}, {"streamSid", {}}};
    bool seen_body = false;
    if (!in.take('{')) return false;
    do {
        std::string_view key;
        if (!in.string(key) || !in.take(':')) return false;
        if (key == event) {
            if (seen_body || !string_object(in, body)) return false;
            seen_body = true;
            continue;
        }
        std::string_view value;
        if (!in.peek('"') || !in.string(value) || !keep(top, key, value)) return false;
    } while (in.take(','));
    return in.take('}') && in.at_end() && seen_body && top[0].value == event && top[1].value &&
           digits(*top[1].value) && top[2].value == stream_sid;
}

}  // namespace

std::optional<std::string_view> media_payload(std::string_view json, std::string_view stream_sid) {
    Field media[] = {{"track", {}}, {"chunk", {}}, {"timestamp", {}}, {"payload", {}}};
    if (!frame_of(json, "media", stream_sid, media)) return std::nullopt;
    if (!media[0].value || !media[1].value || !digits(*media[1].value) || !media[2].value ||
        !digits(*media[2].value) || !media[3].value) {
        return std::nullopt;
    }
    return media[3].value;
}

std::optional<std::string_view> mark_name(std::string_view json, std::string_view stream_sid) {
    Field mark[] = {{"name", {}}};
    if (!frame_of(json, "mark", stream_sid, mark)) return std::nullopt;
    return mark[0].value;
}

}  // namespace va::twilio
