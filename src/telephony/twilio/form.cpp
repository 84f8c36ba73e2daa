#include "telephony/twilio/form.hpp"

namespace va::twilio {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Hand-written because Boost.URL's percent decoding leaves '+' alone, and in a form body it is a space.
std::optional<std::string> decode_component(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;  // needs two more characters
            int hi = hex_value(s[i + 1]);
            int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

void encode_component(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
}

}  // namespace

std::optional<Params> parse_form(std::string_view body) {
    Params params;
    while (!body.empty()) {
        auto amp = body.find('&');
        std::string_view segment = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (segment.empty()) continue;
        auto eq = segment.find('=');
        auto name = decode_component(segment.substr(0, eq));
        auto value = decode_component(eq == std::string_view::npos ? std::string_view{} : segment.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        params.emplace_back(std::move(*name), std::move(*value));
    }
    return params;
}

std::string encode_form(const Params& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        if (!out.empty()) out.push_back('&');
        encode_component(name, out);
        out.push_back('=');
        encode_component(value, out);
    }
    return out;
}

std::optional<std::string_view> find_param(const Params& params, std::string_view name) {
    for (const auto& [n, v] : params) {
        if (n == name) return std::string_view{v};
    }
    return std::nullopt;
}

std::vector<std::string_view> find_all(const Params& params, std::string_view name) {
    std::vector<std::string_view> values;
    for (const auto& [n, v] : params) {
        if (n == name) values.emplace_back(v);
    }
    return values;
}

}  // namespace va::twilio
