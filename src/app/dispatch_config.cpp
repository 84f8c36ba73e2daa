#include "app/dispatch_config.hpp"

#include <cctype>

namespace va::app {

bool twilio_configured(const DispatchConfig& c, std::string& error) {
    const int given = !c.account_sid.empty() + !c.auth_token.empty() + !c.from_number.empty() + !c.public_url.empty();
    if (given == 0) return false;
    if (given < 4) {
        error = "set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and VA_PUBLIC_URL, or none";
        return false;
    }
    if (!c.public_url.starts_with("https://") && !c.public_url.starts_with("http://")) {
        error = "VA_PUBLIC_URL must start with https:// (or http:// for local use)";
        return false;
    }
    // Twilio would post its signed webhooks and our stream tokens in clear text over the internet.
    if (c.public_url.starts_with("http://") && !is_loopback_url(c.public_url)) {
        error = "VA_PUBLIC_URL " + c.public_url + " is http:// and not this machine: Twilio reaches us over https://";
        return false;
    }
    if (c.public_url.find_first_of("?#", 8) != std::string::npos) {
        error = "VA_PUBLIC_URL must not have a query or fragment";
        return false;
    }
    if (!c.from_number.starts_with("+")) {
        error = "TWILIO_FROM_NUMBER must be in E.164 (+15005550006)";
        return false;
    }
    return true;
}

dispatch::DispatcherOptions dispatcher_options(const DispatchConfig& c, std::string owner) {
    dispatch::DispatcherOptions o;
    o.owner = std::move(owner);
    o.from_number = c.from_number;
    o.public_url = c.public_url;
    while (o.public_url.ends_with('/')) o.public_url.pop_back();
    o.calls_per_second = c.calls_per_second;
    o.max_live_calls = c.max_live_calls;
    o.sweep = std::chrono::seconds(c.sweep_seconds);
    o.lookahead = dispatch::lookahead_for(c.calls_per_second);
    o.request_timeout = std::chrono::seconds(c.request_timeout_seconds);
    o.reconcile_grace = std::chrono::seconds(c.reconcile_grace_seconds);
    o.reconcile_poll = std::min<std::chrono::milliseconds>(o.reconcile_poll, o.reconcile_grace / 2);
    o.check_interval = std::chrono::seconds(c.status_check_seconds);
    o.check_margin = o.check_interval / 2;
    o.ring_timeout_seconds = c.ring_timeout_seconds;
    o.time_limit_seconds = c.max_call_seconds;
    o.machine_detection = c.machine_detection;
    o.retry = {c.retry_max_attempts, std::chrono::seconds(c.retry_delay_seconds)};
    o.max_dials_per_day = c.max_dials_per_day;
    o.min_hours_between_calls_to_a_number = std::chrono::hours(c.min_hours_between_calls);
    return o;
}

twilio::RestConfig rest_config(const DispatchConfig& c) {
    twilio::RestConfig r;
    r.api_base = c.api_base;
    while (r.api_base.ends_with('/')) r.api_base.pop_back();
    r.account_sid = c.account_sid;
    r.auth_token = c.auth_token;
    r.timeout = std::chrono::seconds(c.request_timeout_seconds);
    return r;
}

bool is_loopback_url(const std::string& url) {
    auto start = url.find("://");
    if (start == std::string::npos) return false;
    auto authority = url.substr(start + 3, url.find_first_of("/?#", start + 3) - start - 3);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    std::string host = authority.starts_with('[') ? authority.substr(0, authority.find(']') + 1)
                                                  : authority.substr(0, authority.find(':'));
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

}  // namespace va::app
