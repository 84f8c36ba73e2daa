#pragma once
// Secrets come from files or the environment, never from flags: a command line shows in `ps` and
// in shell history to every user of the machine.
#include <optional>
#include <string>
#include <vector>

#include "api/tokens.hpp"

namespace va::app {

// The secret in `path` (one line; surrounding whitespace dropped), or nullopt with `error` set.
std::optional<std::string> read_secret_file(const std::string& path, std::string& error);

// A whole small file (the API tokens file), or nullopt with `error` set.
std::optional<std::string> read_small_file(const std::string& path, std::string& error);

// `out` from `file` when one is given, else from the environment variable `env` when set (else
// left as it is). False with `error` set when the file cannot be used.
bool read_secret(const std::string& file, const char* env, std::string& out, std::string& error);

// The secret in the file named by `<name>_FILE` (how systemd's LoadCredential= and Docker's
// secrets hand one over), else in the environment variable `name` (else `out` is left as it is).
// False with `error` set when the file cannot be used.
bool read_secret_env(const std::string& name, std::string& out, std::string& error);

// The API tokens: VA_API_TOKENS (every scope) and the tokens file, if given. False with `error`
// set (naming the line, never a token) when either is refused.
bool read_api_tokens(const std::string& file, std::vector<api::ApiToken>& out, std::string& error);

}  // namespace va::app
