// Twilio's REST Calls API, as far as this system uses it: create, list (filters, pages), fetch,
// update (hang up, cancel, redirect). Basic auth; Twilio's error body; form-encoded requests.
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "core/phone.hpp"
#include "core/time_format.hpp"
#include "net/router.hpp"
#include "net/spawn.hpp"
#include "sim/state.hpp"
#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/dates.hpp"
#include "timing/time_source.hpp"

namespace va::sim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

net::Response twilio_error(unsigned status, int code, std::string_view message) {
    json::object body{{"code", code},
                      {"message", message},
                      {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                      {"status", status}};
    net::Response response;
    response.status = status;
    response.body = json::serialize(body);
    return response;
}

net::Response not_found(const net::Request& request) {
    return twilio_error(404, 20404, "The requested resource " + request.path + " was not found");
}

net::Response json_answer(unsigned status, const json::object& body) {
    net::Response response;
    response.status = status;
    response.body = json::serialize(body);
    return response;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool authorized(const Simulator::State& state, const net::Request& request) {
    auto header = request.header("Authorization");
    if (!header || header->size() < 6 || !net::equals_ignore_case(header->substr(0, 6), "basic ")) return false;
    auto decoded = twilio::base64_decode(header->substr(6));
    if (!decoded) return false;
    std::string credentials(decoded->begin(), decoded->end());
    auto expected = state.options.account_sid + ":" + state.options.auth_token;
    return constant_time_equal(credentials, expected);
}

// Phone numbers (E.164), as Twilio dials them; "client:" and SIP targets are not simulated.
bool plausible_number(std::string_view to) {
    if (to.size() < 8 || to.size() > 16 || to[0] != '+' || to[1] == '0') return false;
    for (char c : to.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

bool valid_callback_url(std::string_view url) { return url.starts_with("http://") || url.starts_with("https://"); }

std::optional<int> parse_int(std::string_view s, int min, int max) {
    if (s.empty() || s.size() > 9) return std::nullopt;
    int value = 0;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max) return std::nullopt;
    return value;
}

// Which fault, if any, this create request for `to` gets (counts are per number).
RestFault take_fault(Simulator::State& state, const std::string& to) {
    const auto& fault = state.options.scenario.for_number(to).rest_fault;
    if (fault.mode == RestFault::Mode::none) return fault;
    if (fault.for_duration && timing::real_time().steady_now() - state.started >= *fault.for_duration) return {};
    std::lock_guard lock(state.mutex);
    auto& used = state.rest_faults_used[to];
    if (fault.count >= 0 && used >= fault.count) return {};
    ++used;
    return fault;
}

std::variant<CallRecord, net::Response> read_create(const Simulator::State& state, const twilio::Params& form) {
    CallRecord call;
    auto to = twilio::find_param(form, "To");
    if (!to || to->empty()) return twilio_error(400, 21201, "No 'To' number is specified");
    if (!plausible_number(*to)) return twilio_error(400, 21211, "Invalid 'To' Phone Number: " + core::mask_phone(std::string(*to)));
    call.to = *to;
    for (const auto& prefix : state.options.scenario.geo_blocked_prefixes) {
        if (call.to.starts_with(prefix))
            return twilio_error(400, 21215, "Account not authorized to call " + core::mask_phone(call.to) +
                                                ". Perhaps you need to enable some international permissions");
    }
    auto from = twilio::find_param(form, "From");
    if (!from || from->empty()) return twilio_error(400, 21213, "No 'From' number is specified");
    call.from = *from;
    auto url = twilio::find_param(form, "Url");
    auto twiml = twilio::find_param(form, "Twiml");
    if (url && !url->empty()) {
        if (!valid_callback_url(*url)) return twilio_error(400, 21205, "Url is not a valid URL: " + std::string(*url));
        call.url = *url;
    } else if (twiml && !twiml->empty()) {
        if (twiml->size() > 4000) return twilio_error(400, 21232, "Twiml is longer than 4000 characters");
        call.twiml = *twiml;
    } else {
        return twilio_error(400, 21205, "Url parameter is required");
    }
    if (auto method = twilio::find_param(form, "Method")) {
        if (*method != "GET" && *method != "POST") return twilio_error(400, 20001, "Method must be GET or POST");
        call.method = *method;
    }
    if (auto callback = twilio::find_param(form, "StatusCallback"); callback && !callback->empty()) {
        if (!valid_callback_url(*callback))
            return twilio_error(400, 21609, "StatusCallback is not a valid URL: " + std::string(*callback));
        call.status_callback = *callback;
    }
    if (auto method = twilio::find_param(form, "StatusCallbackMethod")) {
        if (*method != "GET" && *method != "POST") return twilio_error(400, 20001, "StatusCallbackMethod must be GET or POST");
        call.status_callback_method = *method;
    }
    for (auto event : twilio::find_all(form, "StatusCallbackEvent")) {
        // twilio-node joins an array with spaces when it is given as one string.
        std::string list(event);
        std::size_t start = 0;
        while (start < list.size()) {
            auto end = list.find(' ', start);
            if (end == std::string::npos) end = list.size();
            auto name = list.substr(start, end - start);
            if (!name.empty()) {
                if (name != "initiated" && name != "ringing" && name != "answered" && name != "completed")
                    return twilio_error(400, 21626, "Invalid StatusCallbackEvent: " + name);
                call.status_callback_events.insert(name);
            }
            start = end + 1;
        }
    }
    if (call.status_callback_events.empty()) call.status_callback_events.insert("completed");
    if (auto timeout = twilio::find_param(form, "Timeout")) {
        auto seconds = parse_int(*timeout, 1, 600);
        if (!seconds) return twilio_error(400, 20001, "Timeout must be an integer between 1 and 600");
        call.timeout_s = *seconds;
    }
    if (auto limit = twilio::find_param(form, "TimeLimit")) {
        auto seconds = parse_int(*limit, 1, 86'400);
        if (!seconds) return twilio_error(400, 20001, "TimeLimit must be an integer between 1 and 86400");
        call.time_limit_s = *seconds;
    }
    if (auto amd = twilio::find_param(form, "MachineDetection"); amd && !amd->empty()) {
        if (*amd != "Enable" && *amd != "DetectMessageEnd")
            return twilio_error(400, 20001, "MachineDetection must be Enable or DetectMessageEnd");
        call.machine_detection = *amd;
    }
    return call;
}

std::string path_uri(const Simulator::State& state) { return "/2010-04-01/Accounts/" + state.options.account_sid + "/Calls"; }

asio::awaitable<net::Response> place_call(std::shared_ptr<Simulator::State> state, net::Request request) {
    auto form = twilio::parse_form(request.body);
    if (!form) co_return twilio_error(400, 20001, "The request body is not valid form encoding");
    auto read = read_create(*state, *form);
    if (auto* error = std::get_if<net::Response>(&read)) co_return std::move(*error);
    auto call = std::get<CallRecord>(std::move(read));

    auto fault = take_fault(*state, call.to);
    using Mode = RestFault::Mode;
    if (fault.mode == Mode::too_many_requests) co_return twilio_error(429, 20429, "Too Many Requests");
    if (fault.mode == Mode::server_error) co_return twilio_error(500, 20500, "Internal Server Error");

    auto now = state->twilio_now();
    call.sid = new_sid("CA");
    call.account_sid = state->options.account_sid;
    call.date_created = call.date_updated = now;
    auto live = std::make_shared<LiveCall>(state->context_for_call().get_executor(), call.sid,
                                           state->options.scenario.for_number(call.to));
    {
        std::lock_guard lock(state->mutex);
        if (state->stopping) co_return twilio_error(503, 20503, "Service Unavailable");
        auto steady = timing::real_time().steady_now();
        call.queue_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(state->pacer.next_slot(steady) - steady).count();
        state->order.push_back(call.sid);
        state->records.emplace(call.sid, call);
        state->live.emplace(call.sid, live);
    }
    spdlog::info("sim: call {} to {} queued for {} ms", call.sid, core::mask_phone(call.to), call.queue_time_ms);
    net::spawn_logged(live->strand, run_call(state, live), "sim call");

    if (fault.mode == Mode::server_error_placed) co_return twilio_error(500, 20500, "Internal Server Error");
    if (fault.mode == Mode::delay) {
        timing::Timer timer(timing::real_time(), co_await asio::this_coro::executor);
        timer.expires_after(fault.delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto response = json_answer(201, to_json(call));
    response.drop_connection = fault.mode == Mode::drop;
    co_return response;
}

// Every authenticated create request is witnessed, whatever it is answered.
asio::awaitable<net::Response> create_call(std::shared_ptr<Simulator::State> state, net::Request request) {
    auto at = timing::RealTime{}.now();
    std::string to;
    if (auto form = twilio::parse_form(request.body)) to = std::string(twilio::find_param(*form, "To").value_or(""));
    auto response = co_await place_call(state, std::move(request));
    std::lock_guard lock(state->mutex);
    state->create_requests.push_back({at, std::move(to), response.drop_connection ? 0u : response.status});
    co_return response;
}

// "YYYY-MM-DD" (Twilio's documented form) or an RFC 3339 date-time (what helper libraries send).
std::optional<core::TimePoint> parse_filter_time(std::string_view text) {
    if (text.size() == 10) return core::parse_rfc3339(std::string(text) + "T00:00:00Z");
    return core::parse_rfc3339(text);
}

asio::awaitable<net::Response> list_calls(std::shared_ptr<Simulator::State> state, net::Request request) {
    auto to = request.query_param("To");
    auto from = request.query_param("From");
    auto status = request.query_param("Status");
    std::optional<core::TimePoint> on_or_after, on_or_before;
    std::optional<core::TimePoint> on_day;
    if (auto v = request.query_param("StartTime>")) {
        if (!(on_or_after = parse_filter_time(*v))) co_return twilio_error(400, 20001, "StartTime> is not a date");
    }
    if (auto v = request.query_param("StartTime<")) {
        if (!(on_or_before = parse_filter_time(*v))) co_return twilio_error(400, 20001, "StartTime< is not a date");
    }
    if (auto v = request.query_param("StartTime")) {
        if (!(on_day = parse_filter_time(*v))) co_return twilio_error(400, 20001, "StartTime is not a date");
    }
    int page_size = 50, page = 0;
    if (auto v = request.query_param("PageSize")) {
        auto n = parse_int(*v, 1, 1000);
        if (!n) co_return twilio_error(400, 20001, "PageSize must be between 1 and 1000");
        page_size = *n;
    }
    if (auto v = request.query_param("Page")) {
        auto n = parse_int(*v, 0, 1'000'000);
        if (!n) co_return twilio_error(400, 20001, "Page must be a non-negative integer");
        page = *n;
    }
    std::vector<CallRecord> matching;
    {
        std::lock_guard lock(state->mutex);
        for (auto it = state->order.rbegin(); it != state->order.rend(); ++it) {  // newest first
            const auto& call = state->records.at(*it);
            if (to && call.to != *to) continue;
            if (from && call.from != *from) continue;
            if (status && call.status != *status) continue;
            // Calls not answered (yet) have no start time: they are filtered by creation time.
            auto started = call.start_time.value_or(call.date_created);
            if (on_or_after && started < *on_or_after) continue;
            if (on_or_before && started > *on_or_before) continue;
            if (on_day && (started < *on_day || started >= *on_day + std::chrono::hours(24))) continue;
            matching.push_back(call);
        }
    }
    json::array calls;
    auto first = static_cast<std::size_t>(page) * static_cast<std::size_t>(page_size);
    for (auto i = first; i < matching.size() && i < first + static_cast<std::size_t>(page_size); ++i)
        calls.push_back(to_json(matching[i]));
    auto base = path_uri(*state) + ".json?PageSize=" + std::to_string(page_size);
    for (auto name : {"To", "From", "Status", "StartTime", "StartTime<", "StartTime>"}) {
        if (auto v = request.query_param(name)) base += "&" + twilio::encode_form({{name, std::string(*v)}});
    }
    const bool more = matching.size() > first + static_cast<std::size_t>(page_size);
    json::object body{
        {"calls", std::move(calls)},
        {"page", page},
        {"page_size", page_size},
        {"start", first},
        {"end", first + static_cast<std::size_t>(page_size) - 1},
        {"uri", base + "&Page=" + std::to_string(page)},
        {"first_page_uri", base + "&Page=0"},
        {"next_page_uri", more ? json::value(base + "&Page=" + std::to_string(page + 1)) : json::value(nullptr)},
        {"previous_page_uri", page > 0 ? json::value(base + "&Page=" + std::to_string(page - 1)) : json::value(nullptr)},
    };
    co_return json_answer(200, body);
}

std::string call_sid_of(const net::Request& request) {
    auto sid = std::string(request.path_param("file"));
    return sid.ends_with(".json") ? sid.substr(0, sid.size() - 5) : std::string();
}

asio::awaitable<net::Response> fetch_call(std::shared_ptr<Simulator::State> state, net::Request request) {
    auto sid = call_sid_of(request);
    std::lock_guard lock(state->mutex);
    auto it = state->records.find(sid);
    if (it == state->records.end()) co_return not_found(request);
    co_return json_answer(200, to_json(it->second));
}

asio::awaitable<net::Response> update_call(std::shared_ptr<Simulator::State> state, net::Request request) {
    auto sid = call_sid_of(request);
    auto form = twilio::parse_form(request.body);
    if (!form) co_return twilio_error(400, 20001, "The request body is not valid form encoding");
    Interrupt interrupt;
    auto status = twilio::find_param(*form, "Status");
    auto url = twilio::find_param(*form, "Url");
    auto twiml = twilio::find_param(*form, "Twiml");
    if (status) {
        if (*status == "completed") interrupt.kind = Interrupt::Kind::hangup;
        else if (*status == "canceled") interrupt.kind = Interrupt::Kind::cancel;
        else co_return twilio_error(400, 20001, "Status must be completed or canceled");
    } else if ((url && !url->empty()) || (twiml && !twiml->empty())) {
        interrupt.kind = Interrupt::Kind::redirect;
        if (url && !url->empty()) {
            if (!valid_callback_url(*url)) co_return twilio_error(400, 21205, "Url is not a valid URL");
            interrupt.url = *url;
            if (auto method = twilio::find_param(*form, "Method")) interrupt.method = *method;
        } else {
            interrupt.twiml = *twiml;
        }
    } else {
        co_return twilio_error(400, 20001, "Give Status, Url or Twiml");
    }

    std::shared_ptr<LiveCall> live;
    CallRecord record;
    {
        std::lock_guard lock(state->mutex);
        auto it = state->records.find(sid);
        if (it == state->records.end()) co_return not_found(request);
        record = it->second;
        if (auto l = state->live.find(sid); l != state->live.end()) live = l->second;
    }
    const bool answered = record.status == "in-progress";
    if (is_final_status(record.status) || !live) {
        if (interrupt.kind == Interrupt::Kind::redirect)
            co_return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
        co_return json_answer(200, to_json(record));  // hanging up an ended call changes nothing
    }
    if (interrupt.kind == Interrupt::Kind::redirect && !answered)
        co_return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
    if (interrupt.kind == Interrupt::Kind::cancel && answered) co_return json_answer(200, to_json(record));
    asio::post(live->strand, [live, interrupt] {
        if (!live->pending || interrupt.kind != Interrupt::Kind::redirect) live->pending = interrupt;
        live->wake.cancel();
    });
    co_return json_answer(200, to_json(record));
}

using SimHandler = asio::awaitable<net::Response> (*)(std::shared_ptr<Simulator::State>, net::Request);

// Another account's resources do not exist for these credentials.
asio::awaitable<net::Response> for_account(std::shared_ptr<Simulator::State> state, SimHandler handler,
                                           net::Request request) {
    if (request.path_param("account") != state->options.account_sid) co_return not_found(request);
    co_return co_await handler(std::move(state), std::move(request));
}

asio::awaitable<net::Response> authorize_and_route(std::shared_ptr<Simulator::State> state,
                                                   std::shared_ptr<net::Router> router, net::Request request) {
    if (!authorized(*state, request)) {
        auto response = twilio_error(401, 20003, "Authentication Error - invalid username");
        response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
        co_return response;
    }
    auto path = request.path;
    auto response = co_await router->dispatch(std::move(request));
    // Like Twilio, every answer says when it was made, on the simulated Twilio's clock.
    response.headers.emplace_back("Date", twilio::format_http_date(state->twilio_now()));
    if (!response.route.empty()) co_return response;
    // The router's own 404/405 in Twilio's error shape.
    if (response.status == 405) co_return twilio_error(405, 20004, "Method not allowed");
    co_return twilio_error(404, 20404, "The requested resource " + path + " was not found");
}

}  // namespace

net::Handler make_rest_api(std::shared_ptr<Simulator::State> state) {
    auto router = std::make_shared<net::Router>();
    const std::string calls = "/2010-04-01/Accounts/{account}/Calls";
    auto bind = [state](SimHandler handler) {
        return [state, handler](net::Request request) { return for_account(state, handler, std::move(request)); };
    };
    router->add("POST", calls + ".json", bind(create_call));
    router->add("GET", calls + ".json", bind(list_calls));
    router->add("GET", calls + "/{file}", bind(fetch_call));
    router->add("POST", calls + "/{file}", bind(update_call));
    return [state, router](net::Request request) { return authorize_and_route(state, router, std::move(request)); };
}

}  // namespace va::sim
