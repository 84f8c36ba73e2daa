#include "app/exposure.hpp"

#include "core/phone.hpp"

namespace va::app {

std::string open_api_problem(const ServeConfig& config) {
    // Behind a proxy every request comes from the loopback address, and a proxy may rewrite Host:
    // the tokenless mode's checks cannot be the only guard of a server the internet reaches.
    const auto& url = config.dispatch.public_url;
    if (config.role == Role::dispatcher) return {};  // it serves no API
    if (!config.api_tokens.empty() || config.insecure_open_api || url.empty() || is_loopback_url(url)) return {};
    return "VA_PUBLIC_URL is public and no API tokens are configured: anyone who reaches this server could schedule "
           "calls and read transcripts. Set VA_API_TOKENS_FILE (one '<token> [scopes]' per line; openssl rand -hex "
           "32 makes one) or VA_API_TOKENS, or pass --insecure-open-api if something else guards the API";
}

std::optional<std::set<std::string>> allowed_destinations(const ServeConfig& config, std::string& error) {
    if (config.allowed_countries) return *config.allowed_countries;
    if (config.dispatch.from_number.empty()) {
        error = "--allowed-countries is required without TWILIO_FROM_NUMBER (whose country is the default): give "
                "the countries calls may go to, e.g. US,CA, or all";
        return std::nullopt;
    }
    const auto home = core::home_region_of(config.dispatch.from_number);
    if (home == "ZZ") {
        error = "TWILIO_FROM_NUMBER has no country code this build knows: give --allowed-countries";
        return std::nullopt;
    }
    return std::set<std::string>{home};
}

}  // namespace va::app
