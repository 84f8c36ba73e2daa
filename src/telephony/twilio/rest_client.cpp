#include "telephony/twilio/rest_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/dates.hpp"
#include "timing/time_source.hpp"

namespace va::twilio {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool is_sid(std::string_view s, std::string_view prefix) {
    return s.size() == 34 && s.starts_with(prefix) &&
           std::all_of(s.begin() + 2, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Twilio's messages may quote the number they refuse ("+1 415-555 2671" too). A run of 7 or more
// digits, groups joined by up to two of " -.()", keeps only its last 4; digits inside a word
// (a sid) or a path are not a number.
std::string mask_numbers(std::string_view text) {
    auto is_separator = [](char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; };
    std::string out(text);
    const auto n = out.size();
    std::size_t i = 0;
    while (i < n) {
        if (is_alpha(out[i])) {
            while (i < n && is_alnum(out[i])) ++i;
            continue;
        }
        if (out[i] == '/') {  // a path (/2010-04-01/...) or the rest of a URL; its query may hold numbers
            while (i < n && out[i] != ' ' && out[i] != '?') ++i;
            std::size_t run = 0;  // in a query every long digit run goes ("To=%2B15551234567")
            for (; i < n && out[i] != ' '; ++i) {
                run = is_digit(out[i]) ? run + 1 : 0;
                if (run >= 7) {
                    for (std::size_t d = i + 1 - run; d + 4 <= i; ++d) out[d] = '*';
                }
            }
            continue;
        }
        if (!is_digit(out[i])) {
            ++i;
            continue;
        }
        std::vector<std::size_t> digits;
        std::size_t j = i;
        while (j < n) {
            if (is_digit(out[j])) {
                digits.push_back(j++);
                continue;
            }
            std::size_t k = j;
            while (k < n && k - j < 2 && is_separator(out[k])) ++k;
            if (k == j || k == n || !is_digit(out[k])) break;
            j = k;
        }
        const bool glued_to_word = j < n && is_alpha(out[j]);
        if (digits.size() >= 7 && !glued_to_word) {
            for (std::size_t d = 0; d + 4 < digits.size(); ++d) out[digits[d]] = '*';
        }
        i = j;
    }
    return out;
}

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<core::TimePoint> date_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return parse_rfc2822(v->as_string());
}

// Twilio writes duration as a string ("42"), or null while the call is live.
std::optional<int> duration_of(const json::object& o) {
    const auto* v = o.if_contains("duration");
    if (!v) return std::nullopt;
    if (v->is_int64() && v->as_int64() >= 0 && v->as_int64() <= 1'000'000'000) return static_cast<int>(v->as_int64());
    if (!v->is_string()) return std::nullopt;
    std::string_view s = v->as_string();
    if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), is_digit)) return std::nullopt;
    return std::stoi(std::string(s));
}

// A call resource needs at least its sid and status; the rest is taken as far as it parses.
std::optional<CallResource> to_call(const json::value& value) {
    const auto* o = value.if_object();
    if (!o) return std::nullopt;
    CallResource call;
    call.sid = text_of(*o, "sid");
    call.status = text_of(*o, "status");
    if (call.sid.empty() || call.status.empty()) return std::nullopt;
    call.to = text_of(*o, "to");
    call.from = text_of(*o, "from");
    call.answered_by = text_of(*o, "answered_by");
    call.date_created = date_of(*o, "date_created");
    call.start_time = date_of(*o, "start_time");
    call.end_time = date_of(*o, "end_time");
    call.duration_s = duration_of(*o);
    return call;
}

std::optional<json::value> parse_json(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) return std::nullopt;
    return value;
}

std::optional<std::chrono::seconds> retry_after_of(const net::ClientResponse& response) {
    auto header = response.header("Retry-After");
    if (!header || header->empty() || header->size() > 6 || !std::all_of(header->begin(), header->end(), is_digit))
        return std::nullopt;
    return std::chrono::seconds(std::stoi(std::string(*header)));
}

// One HTTP exchange, classified; `body` is the JSON of a 2xx answer.
struct Answer {
    RestOutcome outcome = RestOutcome::unknown;
    RestError error;
    std::string detail;
    std::optional<json::value> body;
};

Answer classify(const net::ClientResult& result) {
    Answer out;
    out.error.request_sent = result.request_sent || result.response.has_value();
    out.error.timed_out = result.timed_out;
    if (!result.response) {
        if (!result.request_sent) {
            out.outcome = RestOutcome::not_sent;
            out.detail = "not sent: " + result.error;
        } else {
            out.outcome = RestOutcome::unknown;
            out.detail = (result.timed_out ? "timed out after sending: " : "no answer after sending: ") + result.error;
        }
        return out;
    }
    const auto& response = *result.response;
    const auto status = response.status;
    out.error.http_status = status;
    auto body = parse_json(response.body);
    if (status / 100 == 2) {
        if (!body || !body->is_object()) {
            out.detail = "HTTP " + std::to_string(status) + " with a body that is not a JSON object";
            return out;
        }
        out.outcome = RestOutcome::ok;
        out.body = std::move(body);
        out.detail = "HTTP " + std::to_string(status);
        return out;
    }
    // Twilio's error body: {"code": 21211, "message": "...", "more_info": "...", "status": 400}
    if (const auto* o = body ? body->if_object() : nullptr) {
        if (const auto* code = o->if_contains("code"); code && code->is_int64())
            out.error.code = static_cast<int>(std::clamp<std::int64_t>(code->as_int64(), 0, 999'999));
        out.error.message = mask_numbers(text_of(*o, "message").substr(0, 300));
    }
    if (status == 429 || out.error.code == 20429) {
        out.outcome = RestOutcome::throttled;
        out.error.retry_after = retry_after_of(response);
    } else if (status / 100 == 4) {
        out.outcome = RestOutcome::rejected;
    } else {
        out.outcome = RestOutcome::unknown;  // 5xx (the call may have been placed), or a 1xx/3xx nobody expects
    }
    out.detail = "HTTP " + std::to_string(status);
    if (out.error.code != 0) out.detail += ", Twilio error " + std::to_string(out.error.code);
    if (!out.error.message.empty()) out.detail += ": " + out.error.message;
    return out;
}

std::string utc_date(core::TimePoint t) {
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(t)};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                  static_cast<unsigned>(day.day()));
    return text;
}

std::string basic_auth(const std::string& user, const std::string& password) {
    const auto text = user + ":" + password;
    return "Basic " + base64_encode({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// "https://api.twilio.com/" -> "https://api.twilio.com"; an origin, nothing after the authority.
std::string checked_api_base(std::string base) {
    while (base.ends_with('/')) base.pop_back();
    std::string_view rest = base;
    if (rest.starts_with("https://")) rest.remove_prefix(8);
    else if (rest.starts_with("http://")) rest.remove_prefix(7);
    else throw std::invalid_argument("Twilio api_base must start with http:// or https://");
    if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos)
        throw std::invalid_argument("Twilio api_base must be scheme://host[:port]");
    return base;
}

RestConfig checked(RestConfig config) {
    if (!is_sid(config.account_sid, "AC")) throw std::invalid_argument("Twilio account SID must be AC + 32 hex digits");
    config.api_base = checked_api_base(std::move(config.api_base));
    config.max_list_pages = std::max<std::size_t>(config.max_list_pages, 1);
    return config;
}

void log_outcome(std::string_view op, RestOutcome outcome, const std::string& detail,
                 timing::SteadyTime started) {
    const auto ms = std::chrono::duration<double, std::milli>(timing::real_time().steady_now() - started).count();
    const auto level = outcome == RestOutcome::ok                                         ? spdlog::level::debug
                       : outcome == RestOutcome::rejected || outcome == RestOutcome::throttled ? spdlog::level::info
                                                                                               : spdlog::level::warn;
    spdlog::log(level, "twilio {}: {} ({}) in {:.1f} ms", op, to_string(outcome), detail, ms);
}

CallResult invalid_sid() {
    CallResult out;
    out.outcome = RestOutcome::rejected;  // retrying cannot help
    out.detail = "not sent: not a call SID";
    return out;
}

}  // namespace

std::string_view to_string(RestOutcome outcome) {
    switch (outcome) {
        case RestOutcome::ok: return "ok";
        case RestOutcome::throttled: return "throttled";
        case RestOutcome::rejected: return "rejected";
        case RestOutcome::not_sent: return "not_sent";
        case RestOutcome::unknown: return "unknown";
    }
    return "unknown";
}

RestClient::RestClient(asio::io_context& io, RestConfig config)
    : config_(checked(std::move(config))),
      calls_path_("/2010-04-01/Accounts/" + config_.account_sid + "/Calls"),
      authorization_(basic_auth(config_.account_sid, config_.auth_token)),
      pool_(io, config_.pool),
      offset_gauge_(config_.metrics ? &config_.metrics->gauge("twilio_clock_offset_seconds",
                                                              "Twilio's clock minus ours, from its latest answer's Date header")
                                    : nullptr) {}

asio::awaitable<net::ClientResult> RestClient::send(std::string method, std::string path_and_query, Params form) {
    net::ClientRequest request;
    request.method = std::move(method);
    request.url = config_.api_base + path_and_query;
    request.headers = {{"Authorization", authorization_}, {"Accept", "application/json"}};
    if (request.method == "POST") {
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = encode_form(form);
    }
    request.timeout = config_.timeout;
    auto exchange = co_await pool_.request(std::move(request));
    note_clock(exchange);
    co_return exchange;
}

void RestClient::note_clock(const net::ClientResult& exchange) {
    // Twilio's Date has whole seconds: the offset is known to about a second, which the
    // comparisons that use it allow for.
    constexpr auto kSkewWarning = std::chrono::seconds(2);
    if (!exchange.response) return;
    const auto date = exchange.response->header("Date");
    const auto twilio_now = date ? parse_http_date(*date) : std::nullopt;
    if (!twilio_now) return;
    const auto ours = config_.clock ? config_.clock->now() : timing::real_time().now();
    const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(*twilio_now - ours);
    offset_ms_.store(offset.count());
    if (offset_gauge_) offset_gauge_->set(static_cast<double>(offset.count()) / 1000);
    const bool skewed = std::chrono::abs(offset) > kSkewWarning;
    if (skewed_.exchange(skewed) != skewed) {
        if (skewed) {
            spdlog::warn("Twilio's clock is {:.1f} s {} ours: check this machine's time (NTP); dispatch compares "
                         "Twilio's times in Twilio's clock", std::abs(static_cast<double>(offset.count())) / 1000,
                         offset.count() > 0 ? "ahead of" : "behind");
        } else {
            spdlog::info("Twilio's clock agrees with ours again (within {} s)", kSkewWarning.count());
        }
    }
}

asio::awaitable<CallResult> RestClient::call_request(std::string op, std::string method, std::string path,
                                                     Params form) {
    const auto started = timing::real_time().steady_now();
    auto exchange = co_await send(std::move(method), std::move(path), std::move(form));
    auto answer = classify(exchange);
    CallResult out;
    if (answer.outcome == RestOutcome::ok) {
        out.call = to_call(*answer.body);
        if (!out.call) {
            answer.outcome = RestOutcome::unknown;  // it may well have worked: say so
            answer.detail += " with a body that is not a call";
        }
    }
    out.outcome = answer.outcome;
    out.error = std::move(answer.error);
    out.detail = std::move(answer.detail);
    log_outcome(op, out.outcome, out.detail, started);
    co_return out;
}

asio::awaitable<CallResult> RestClient::create_call(CreateCallRequest request) {
    Params form{{"To", request.to}, {"From", request.from}};
    if (!request.url.empty()) form.emplace_back("Url", request.url);
    else form.emplace_back("Twiml", request.twiml);
    if (!request.status_callback.empty()) {
        form.emplace_back("StatusCallback", request.status_callback);
        form.emplace_back("StatusCallbackMethod", "POST");
        for (const auto& event : request.status_callback_events) form.emplace_back("StatusCallbackEvent", event);
    }
    if (request.timeout_s) form.emplace_back("Timeout", std::to_string(*request.timeout_s));
    if (request.time_limit_s) form.emplace_back("TimeLimit", std::to_string(*request.time_limit_s));
    if (!request.machine_detection.empty()) form.emplace_back("MachineDetection", request.machine_detection);
    co_return co_await call_request("create call", "POST", calls_path_ + ".json", std::move(form));
}

asio::awaitable<CallResult> RestClient::fetch_call(std::string sid) {
    if (!is_sid(sid, "CA")) co_return invalid_sid();
    co_return co_await call_request("fetch call", "GET", calls_path_ + "/" + sid + ".json", {});
}

asio::awaitable<CallResult> RestClient::update_call(std::string sid, Params params) {
    if (!is_sid(sid, "CA")) co_return invalid_sid();
    co_return co_await call_request("update call", "POST", calls_path_ + "/" + sid + ".json", std::move(params));
}

asio::awaitable<ListResult> RestClient::list_calls(ListCallsFilter filter) {
    const auto started = timing::real_time().steady_now();
    Params query;
    if (!filter.to.empty()) query.emplace_back("To", filter.to);
    if (!filter.from.empty()) query.emplace_back("From", filter.from);
    if (!filter.status.empty()) query.emplace_back("Status", filter.status);
    if (filter.start_time_on_or_after) query.emplace_back("StartTime>", utc_date(*filter.start_time_on_or_after));
    query.emplace_back("PageSize", std::to_string(std::clamp(filter.page_size, 1, 1000)));
    const auto first_page = calls_path_ + ".json";
    auto path = first_page + "?" + encode_form(query);
    ListResult out;
    std::size_t pages = 0;
    for (;;) {
        if (pages == config_.max_list_pages) {
            out.truncated = true;
            break;
        }
        ++pages;
        auto exchange = co_await send("GET", path, {});
        auto answer = classify(exchange);
        std::optional<std::string> next;
        if (answer.outcome == RestOutcome::ok) {
            const auto& page = answer.body->as_object();
            const auto* calls = page.if_contains("calls");
            const auto* next_uri = page.if_contains("next_page_uri");
            bool good = calls && calls->is_array() && (!next_uri || next_uri->is_null() || next_uri->is_string());
            if (good) {
                for (const auto& item : calls->as_array()) {
                    auto call = to_call(item);
                    if (!call) good = false;
                    else out.calls.push_back(std::move(*call));
                }
            }
            // Only ever the same resource, on the configured host.
            if (good && next_uri && next_uri->is_string()) {
                next = std::string(next_uri->as_string());
                good = next->starts_with(first_page + "?");
            }
            if (!good) {
                answer.outcome = RestOutcome::unknown;
                answer.detail += " with a body that is not a page of calls";
            }
        }
        if (answer.outcome != RestOutcome::ok) {
            out.outcome = answer.outcome;
            out.error = std::move(answer.error);
            out.detail = "page " + std::to_string(pages) + ": " + answer.detail;
            log_outcome("list calls", out.outcome, out.detail, started);
            co_return out;
        }
        if (!next) break;
        path = std::move(*next);
    }
    out.outcome = RestOutcome::ok;
    out.error.request_sent = true;
    out.detail = std::to_string(out.calls.size()) + " calls in " + std::to_string(pages) + " pages" +
                 (out.truncated ? ", more not read" : "");
    log_outcome("list calls", out.outcome, out.detail, started);
    co_return out;
}

}  // namespace va::twilio
