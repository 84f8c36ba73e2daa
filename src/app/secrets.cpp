#include "app/secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace va::app {

namespace {
// A tokens file of a few hundred operators is a few KiB; anything far larger is a wrong path.
constexpr std::size_t kMaxFileSize = 1024 * 1024;
}  // namespace

std::optional<std::string> read_small_file(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxFileSize) {
            error = path + ": larger than 1 MiB";
            return std::nullopt;
        }
    }
    return text;
}

std::optional<std::string> read_secret_file(const std::string& path, std::string& error) {
    auto text = read_small_file(path, error);
    if (!text) return std::nullopt;
    const char* blank = " \t\r\n";
    auto first = text->find_first_not_of(blank);
    if (first == std::string::npos) {
        error = path + ": empty";
        return std::nullopt;
    }
    auto secret = text->substr(first, text->find_last_not_of(blank) - first + 1);
    if (secret.find_first_of("\r\n") != std::string::npos) {
        error = path + ": more than one line";
        return std::nullopt;
    }
    return secret;
}

bool read_secret(const std::string& file, const char* env, std::string& out, std::string& error) {
    if (file.empty()) {
        if (const char* value = std::getenv(env)) out = value;
        return true;
    }
    auto secret = read_secret_file(file, error);
    if (!secret) return false;
    out = std::move(*secret);
    return true;
}

bool read_secret_env(const std::string& name, std::string& out, std::string& error) {
    const auto file_variable = name + "_FILE";
    const char* file = std::getenv(file_variable.c_str());
    if (read_secret(file ? file : "", name.c_str(), out, error)) return true;
    error = file_variable + ": " + error;
    return false;
}

bool read_api_tokens(const std::string& file, std::vector<api::ApiToken>& out, std::string& error) {
    if (const char* list = std::getenv("VA_API_TOKENS")) {
        auto parsed = api::parse_token_list(list);
        if (!parsed.error.empty()) {
            error = "VA_API_TOKENS: " + parsed.error;
            return false;
        }
        if (parsed.tokens.empty()) {
            error = "VA_API_TOKENS is set but holds no token (unset it for the tokenless local-only mode)";
            return false;
        }
        out = std::move(parsed.tokens);
    }
    if (file.empty()) return true;
    auto text = read_small_file(file, error);
    if (!text) {
        error = "--api-tokens-file " + error;
        return false;
    }
    auto parsed = api::parse_token_file(*text);
    if (!parsed.error.empty()) {
        error = "--api-tokens-file " + file + ": " + parsed.error;
        return false;
    }
    if (parsed.tokens.empty()) {
        error = "--api-tokens-file " + file + ": no token in it";
        return false;
    }
    out.insert(out.end(), parsed.tokens.begin(), parsed.tokens.end());
    return true;
}

}  // namespace va::app
