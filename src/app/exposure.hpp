#pragma once
// What `serve` refuses to start with when the internet may reach it, decided before anything
// opens: an API without tokens behind a public URL, and calls to countries nobody chose.
#include <optional>
#include <set>
#include <string>

#include "app/serve.hpp"

namespace va::app {

// Why the API may not run open: "" when tokens are configured, the public URL is loopback (or
// unset), --insecure-open-api says so, or the process serves no API (--role dispatcher).
std::string open_api_problem(const ServeConfig& config);

// The regions calls may go to (empty = every one): --allowed-countries, else the caller id's
// country. nullopt with `error` set when neither says.
std::optional<std::set<std::string>> allowed_destinations(const ServeConfig& config, std::string& error);

}  // namespace va::app
