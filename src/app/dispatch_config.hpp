#pragma once
// The dispatcher's part of `voiceagent serve`: Twilio credentials, our public URL, limits and the
// default retry policy. All of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and
// VA_PUBLIC_URL set = the dispatcher runs; none set = it is off (the API still runs); some = error.
#include <string>

#include "dispatch/options.hpp"
#include "telephony/twilio/rest_client.hpp"

namespace va::app {

struct DispatchConfig {
    std::string api_base = "https://api.twilio.com";
    std::string account_sid;
    std::string auth_token;
    std::string from_number;
    std::string public_url;
    double calls_per_second = 1.0;
    int max_live_calls = 100;
    int sweep_seconds = 30;
    int ring_timeout_seconds = 60;
    int max_call_seconds = 3600;
    std::string machine_detection;
    int request_timeout_seconds = 10;
    int reconcile_grace_seconds = 60;
    int status_check_seconds = 60;
    int retry_max_attempts = 1;
    int retry_delay_seconds = 300;
    int max_dials_per_day = 10'000;    // every worker's dials together, per UTC day
    int min_hours_between_calls = 24;  // to one number from different scheduled calls; 0 = off
};

// True when the Twilio settings are complete; an empty `error` with false means "not configured".
bool twilio_configured(const DispatchConfig& config, std::string& error);

dispatch::DispatcherOptions dispatcher_options(const DispatchConfig& config, std::string owner);
twilio::RestConfig rest_config(const DispatchConfig& config);

// True when `url`'s host is localhost, 127.0.0.1 or [::1]: nobody else can reach it.
bool is_loopback_url(const std::string& url);

}  // namespace va::app
