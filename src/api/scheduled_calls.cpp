// /api/scheduled-calls: schedule, list, inspect, reschedule and cancel outbound calls.
#include <boost/json/serialize.hpp>

#include "api/handlers.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "api/query.hpp"
#include "api/scheduled_call_rules.hpp"
#include "api/sha256.hpp"
#include "core/id.hpp"
#include "net/offload.hpp"

namespace va::api {

namespace {

ApiResult<std::optional<store::IdempotencyKey>> read_idempotency_key(const net::Request& request,
                                                                     const boost::json::object& body,
                                                                     core::TimePoint expired_before) {
    auto key = request.header("Idempotency-Key");
    if (!key) return std::optional<store::IdempotencyKey>{};
    bool printable = !key->empty() && key->size() <= 255;
    for (char c : *key) printable = printable && c > 32 && c < 127;
    if (!printable) {
        return ApiError{ErrorCode::invalid_header, "Idempotency-Key must be 1 to 255 visible ASCII characters",
                        "Idempotency-Key"};
    }
    // The parsed body, re-serialised: the same request with other white space is the same request.
    return std::optional(store::IdempotencyKey{request.caller, std::string(*key),
                                               sha256_hex(boost::json::serialize(body)), expired_before});
}

net::Response call_not_found() { return to_response({ErrorCode::not_found, "no scheduled call with this id", "id"}); }

net::Response wrong_state(const store::ChangeOutcome& outcome, std::string_view action) {
    auto status = outcome.call ? std::string(store::to_string(outcome.call->status)) : std::string("unknown");
    return to_response({ErrorCode::conflict, std::string(action) + " is not possible while the call is " + status, ""});
}

}  // namespace

namespace {

// A create request checked against every rule: the call it would store (without its id and
// times), or every error found, in the order a create reports the first of them.
struct CheckedCreate {
    store::ScheduledCall call;
    std::vector<core::Variables> variables;  // each recipient's, in the order of call.to_phone_numbers
    std::vector<ApiError> errors;
};

boost::asio::awaitable<CheckedCreate> check_create(ApiContext& ctx, const boost::json::object& body, core::TimePoint now) {
    CheckedCreate out;
    auto& call = out.call;
    ObjectReader reader(body);
    reader.reject_unknown({"toPhoneNumbers", "recipients", "promptId", "scheduledDateTime", "retry", "callWindow"});
    // The recipients as numbers alone (the original API) or as objects with their variables.
    const auto* entries = body.if_contains("recipients");
    if (entries && body.contains("toPhoneNumbers"))
        reader.fail(ErrorCode::invalid_value, "give toPhoneNumbers or recipients, not both", "recipients");
    auto numbers = entries ? std::nullopt : reader.string_array("toPhoneNumbers", true);
    auto prompt_id = reader.string("promptId", true, 64);
    auto when = reader.string("scheduledDateTime", true, 64);
    if (reader.error()) out.errors.push_back(*reader.error());

    if (auto retry = body.find("retry"); retry != body.end()) {
        auto policy = read_retry_policy(retry->value());
        if (policy) call.retry = *policy;
        else out.errors.push_back(policy.error());
    }
    bool timed = false;
    if (when) {
        auto due = resolve_schedule_time(ctx.options, *when, now);
        if (due) call.scheduled_date_time = *due;
        else out.errors.push_back(due.error());
        timed = due.has_value();
    }
    RecipientEntries recipients;
    auto prompt = co_await net::offload(ctx.compute_pool, [&]() -> std::optional<store::Prompt> {
        // Up to 10,000 libphonenumber parses: off the network thread along with the store call.
        if (entries) {
            recipients = check_recipient_entries(ctx.phones, ctx.options.max_recipients, *entries);
        } else if (numbers) {
            auto checked = check_recipients(ctx.phones, ctx.options.max_recipients, *numbers);
            recipients.numbers = std::move(checked.numbers);
            recipients.variables.resize(recipients.numbers.size());
            recipients.errors = std::move(checked.errors);
        }
        return prompt_id ? ctx.store.prompts().get(*prompt_id) : std::nullopt;
    });
    out.errors.insert(out.errors.end(), recipients.errors.begin(), recipients.errors.end());
    call.to_phone_numbers = std::move(recipients.numbers);
    out.variables = std::move(recipients.variables);
    const bool recipients_ok = (numbers || entries) && recipients.errors.empty();
    if (auto window = body.find("callWindow"); window != body.end() && recipients_ok && timed) {
        auto read_window = co_await net::offload(ctx.compute_pool, [&]() -> ApiResult<store::CallingWindow> {
            auto read = read_call_window(window->value(), ctx.phones, call.to_phone_numbers);
            if (!read) return read;
            // A recipient's own zone wins over the window's list.
            for (const auto& [number, zone] : recipients.time_zones) read->time_zones[number] = zone;
            auto usable = check_call_window(*read, call.to_phone_numbers, ctx.country_zones, call.scheduled_date_time);
            if (!usable) return usable.error();
            return read;
        });
        if (read_window) call.call_window = std::move(*read_window);
        else out.errors.push_back(read_window.error());
    }
    if (prompt) {
        call.prompt_id = prompt->id;
        call.content = prompt->content;
        call.introduction = prompt->introduction;
        call.conversation = prompt->conversation;
        if (recipients_ok) {
            auto missing = check_placeholders(call, out.variables, entries ? "recipients" : "toPhoneNumbers");
            out.errors.insert(out.errors.end(), missing.begin(), missing.end());
        }
    } else if (prompt_id) {
        out.errors.push_back({ErrorCode::unknown_prompt, "no prompt with this promptId", "promptId"});
    }
    co_return out;
}

// ?dryRun=true: every error of the request, answered 200; nothing is stored.
net::Response dry_run_answer(const CheckedCreate& checked) {
    boost::json::array errors;
    for (const auto& e : checked.errors) {
        boost::json::object error{{"code", to_string(e.code)}, {"message", e.message}};
        if (!e.field.empty()) error["field"] = e.field;
        errors.push_back(std::move(error));
    }
    return json_response(200, boost::json::object{{"valid", errors.empty()}, {"errors", std::move(errors)}});
}

}  // namespace

Reply create_scheduled_call(ApiContext& ctx, net::Request request) {
    QueryReader query(request);
    query.reject_unknown({"dryRun"});
    const auto dry_run = query.boolean("dryRun");
    if (query.error()) co_return to_response(*query.error());
    // A list of thousands (up to 8 MiB) is parsed off the network thread, which other
    // connections share; a small body costs less than the hand-off.
    constexpr std::size_t kParsedHere = 64 * 1024;
    ApiResult<boost::json::object> parsed = boost::json::object{};
    if (request.body.size() <= kParsedHere) {
        parsed = parse_json_object(request);
    } else {
        parsed = co_await net::offload(ctx.compute_pool, [&] { return parse_json_object(request); });
    }
    if (!parsed) co_return to_response(parsed.error());
    const auto& body = *parsed;
    auto now = ctx.clock.now();
    if (dry_run.value_or(false)) co_return dry_run_answer(co_await check_create(ctx, body, now));
    auto key = read_idempotency_key(request, body, now - ctx.options.idempotency_window);
    if (!key) co_return to_response(key.error());

    auto checked = co_await check_create(ctx, body, now);
    if (!checked.errors.empty()) co_return to_response(checked.errors.front());
    auto& call = checked.call;
    call.id = core::new_object_id(now);
    call.status = store::CallStatus::pending;
    for (std::size_t i = 0; i < call.to_phone_numbers.size(); ++i) {
        call.recipients.push_back(store::new_recipient(call.to_phone_numbers[i], now, std::move(checked.variables[i])));
    }
    call.created_at = call.updated_at = now;

    auto outcome =
        co_await net::offload(ctx.write_pool, [&] { return ctx.store.scheduled_calls().create(call, *key); });
    if (outcome.result == store::CreateResult::key_conflict) {
        co_return to_response({ErrorCode::idempotency_conflict,
                               "this Idempotency-Key was used with a different request body", "Idempotency-Key"});
    }
    if (outcome.result == store::CreateResult::created && ctx.on_schedule_changed) ctx.on_schedule_changed(outcome.call);
    auto response = json_response(201, to_json(outcome.call));
    response.headers.emplace_back("Location", "/api/scheduled-calls/" + outcome.call.id);
    if (outcome.result == store::CreateResult::replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    co_return response;
}

Reply list_scheduled_calls(ApiContext& ctx, net::Request request) {
    QueryReader query(request);
    query.reject_unknown({"status", "from", "to", "limit", "cursor"});
    store::ScheduledCallQuery q;
    if (auto status = query.string("status")) {
        q.status = store::parse_call_status(*status);
        if (!q.status) {
            query.fail(ErrorCode::invalid_query,
                       "status must be one of pending, in_progress, completed, canceled, failed", "status");
        }
    }
    q.scheduled_from = query.time("from");
    q.scheduled_to = query.time("to");
    q.page = query.page();
    if (query.error()) co_return to_response(*query.error());
    auto page = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.scheduled_calls().list(q); });
    co_return json_response(200, page_to_json(page));
}

Reply get_scheduled_call(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto call = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.scheduled_calls().get(id); });
    if (!call) co_return call_not_found();
    co_return json_response(200, to_json(*call));
}

Reply patch_scheduled_call(ApiContext& ctx, net::Request request) {
    auto parsed = parse_json_object(request);
    if (!parsed) co_return to_response(parsed.error());
    ObjectReader reader(*parsed);
    reader.reject_unknown({"toPhoneNumbers", "scheduledDateTime"});
    auto numbers = reader.string_array("toPhoneNumbers", false);
    auto when = reader.string("scheduledDateTime", false, 64);
    if (!reader.error() && !numbers && !when) {
        reader.fail(ErrorCode::missing_field, "give scheduledDateTime, toPhoneNumbers or both", "");
    }
    if (reader.error()) co_return to_response(*reader.error());

    auto now = ctx.clock.now();
    store::ScheduledCallPatch patch;
    if (when) {
        auto when_due = resolve_schedule_time(ctx.options, *when, now);
        if (!when_due) co_return to_response(when_due.error());
        patch.scheduled_date_time = *when_due;
    }
    std::string id(request.path_param("id"));
    if (numbers) {
        auto recipients = co_await net::offload(ctx.compute_pool, [&]() -> ApiResult<std::vector<std::string>> {
            auto checked = normalize_recipients(ctx.phones, ctx.options.max_recipients, *numbers);
            if (!checked) return checked;
            // A number new to the call has no variables: the prompt must do without them.
            auto call = ctx.store.scheduled_calls().get(id);
            if (!call) return checked;
            std::vector<core::Variables> variables;
            for (auto& r : store::with_numbers(call->recipients, *checked, now)) variables.push_back(std::move(r.variables));
            auto missing = check_placeholders(*call, variables, "toPhoneNumbers");
            if (!missing.empty()) return missing.front();
            return checked;
        });
        if (!recipients) co_return to_response(recipients.error());
        patch.to_phone_numbers = std::move(*recipients);
    }
    auto outcome = co_await net::offload(
        ctx.write_pool, [&] { return ctx.store.scheduled_calls().update_pending(id, patch, now); });
    if (outcome.result == store::ChangeResult::not_found) co_return call_not_found();
    if (outcome.result == store::ChangeResult::wrong_state) co_return wrong_state(outcome, "changing it");
    if (ctx.on_schedule_changed) ctx.on_schedule_changed(*outcome.call);
    co_return json_response(200, to_json(*outcome.call));
}

Reply cancel_scheduled_call(ApiContext& ctx, net::Request request) {
    if (!request.body.empty()) {
        co_return to_response({ErrorCode::invalid_value, "cancel takes no request body", ""});
    }
    std::string id(request.path_param("id"));
    auto now = ctx.clock.now();
    auto outcome =
        co_await net::offload(ctx.write_pool, [&] { return ctx.store.scheduled_calls().cancel(id, now); });
    if (outcome.result == store::ChangeResult::not_found) co_return call_not_found();
    if (outcome.result == store::ChangeResult::wrong_state) co_return wrong_state(outcome, "canceling it");
    if (ctx.on_canceled) ctx.on_canceled(*outcome.call);
    co_return json_response(200, to_json(*outcome.call));
}

}  // namespace va::api
