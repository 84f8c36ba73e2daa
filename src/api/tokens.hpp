#pragma once
// API tokens and what each may do. A token has scopes: `read` (GET the API), `write` (create,
// change, cancel) and `transcripts` (what callees said; without it call logs come without their
// text). Tokens come from VA_API_TOKENS (comma-separated, every scope) or VA_API_TOKENS_FILE, one
// `<token> [scope,...]` per line (no scopes = all three; blank lines and `#` comments skipped).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace va::api {

enum Scope : unsigned {
    kNoScope = 0,
    kRead = 1,
    kWrite = 2,
    kTranscripts = 4,
    kAllScopes = kRead | kWrite | kTranscripts,
};

// "read", "write", "transcripts" ("" for kNoScope).
std::string_view scope_name(Scope scope);

// Shorter tokens can be guessed: a deployment with one is refused at start-up.
constexpr std::size_t kMinTokenLength = 32;

struct ApiToken {
    std::string value;
    unsigned scopes = kAllScopes;
};

struct TokenParse {
    std::vector<ApiToken> tokens;
    std::string error;  // set when the text is refused; names the line, never the token
};

// VA_API_TOKENS: comma-separated tokens, each with every scope.
TokenParse parse_token_list(std::string_view list);
// VA_API_TOKENS_FILE's text.
TokenParse parse_token_file(std::string_view text);

}  // namespace va::api
