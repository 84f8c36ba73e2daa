#include "api/tokens.hpp"

#include <optional>

namespace va::api {

namespace {
constexpr std::string_view kBlank = " \t\r";

std::string_view trim(std::string_view s) {
    auto first = s.find_first_not_of(kBlank);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

// Splits `text` at its first `delimiter`: the piece before it (trimmed), and `text` moved past it.
std::string_view take(std::string_view& text, char delimiter) {
    auto at = text.find(delimiter);
    auto piece = trim(text.substr(0, at));
    text = at == std::string_view::npos ? std::string_view{} : text.substr(at + 1);
    return piece;
}

std::optional<Scope> parse_scope(std::string_view name) {
    for (auto scope : {kRead, kWrite, kTranscripts}) {
        if (name == scope_name(scope)) return scope;
    }
    return std::nullopt;
}

// Only printable ASCII: a token travels in an HTTP header.
bool is_token_text(std::string_view token) {
    for (char c : token) {
        if (c <= ' ' || c > '~') return false;
    }
    return true;
}

std::string check_token(std::string_view token) {
    if (!is_token_text(token)) return "a token may hold printable ASCII only";
    if (token.size() < kMinTokenLength)
        return "a token must be at least " + std::to_string(kMinTokenLength) + " characters (openssl rand -hex 32)";
    return {};
}
}  // namespace

std::string_view scope_name(Scope scope) {
    switch (scope) {
        case kRead:
            return "read";
        case kWrite:
            return "write";
        case kTranscripts:
            return "transcripts";
        default:
            return "";
    }
}

TokenParse parse_token_list(std::string_view list) {
    TokenParse out;
    int index = 0;
    while (!list.empty()) {
        auto token = take(list, ',');
        ++index;
        if (token.empty()) continue;
        if (auto problem = check_token(token); !problem.empty()) {
            out.error = "token " + std::to_string(index) + ": " + problem;
            out.tokens.clear();
            return out;
        }
        out.tokens.push_back({std::string(token), kAllScopes});
    }
    return out;
}

TokenParse parse_token_file(std::string_view text) {
    TokenParse out;
    int line_number = 0;
    while (!text.empty()) {
        auto line = take(text, '\n');
        ++line_number;
        if (line.empty() || line.front() == '#') continue;
        auto fail = [&](const std::string& problem) {
            out.error = "line " + std::to_string(line_number) + ": " + problem;
            out.tokens.clear();
            return out;
        };
        auto space = line.find_first_of(kBlank);
        auto token = line.substr(0, space);
        if (auto problem = check_token(token); !problem.empty()) return fail(problem);
        ApiToken entry{std::string(token), kAllScopes};
        auto scopes = space == std::string_view::npos ? std::string_view{} : trim(line.substr(space));
        if (!scopes.empty()) {
            entry.scopes = kNoScope;
            for (bool more = true; more;) {  // "read," ends with an empty, refused, name
                more = scopes.find(',') != std::string_view::npos;
                auto name = take(scopes, ',');
                auto scope = parse_scope(name);
                if (!scope) {
                    // Named only when it looks like a scope: a second token on the line must not be printed.
                    const bool word = !name.empty() && name.size() <= 16 &&
                                      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string_view::npos;
                    return fail((word ? "unknown scope '" + std::string(name) + "'" : std::string("not a scope")) +
                                " (scopes are read, write, transcripts, comma-separated)");
                }
                entry.scopes |= *scope;
            }
        }
        out.tokens.push_back(std::move(entry));
    }
    return out;
}

}  // namespace va::api
