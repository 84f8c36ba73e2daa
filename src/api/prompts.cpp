// /api/prompts: the system prompt and greeting a scheduled call snapshots at creation.
#include "api/handlers.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "api/query.hpp"
#include "core/id.hpp"
#include "net/offload.hpp"

namespace va::api {

namespace {
constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxContent = 32 * 1024;
constexpr std::size_t kMaxIntroduction = 4 * 1024;

// Reads name, content and introduction (all required: PUT replaces the whole prompt).
std::optional<ApiError> read_prompt(const net::Request& request, store::Prompt& out) {
    boost::json::object body;
    if (auto error = parse_json_object(request, body)) return error;
    ObjectReader reader(body);
    reader.reject_unknown({"name", "content", "introduction"});
    auto name = reader.string("name", true, kMaxName);
    auto content = reader.string("content", true, kMaxContent);
    auto introduction = reader.string("introduction", true, kMaxIntroduction);
    if (name && name->empty()) reader.fail(ErrorCode::invalid_value, "name must not be empty", "name");
    if (content && content->empty()) reader.fail(ErrorCode::invalid_value, "content must not be empty", "content");
    if (reader.error()) return reader.error();
    out.name = std::move(*name);
    out.content = std::move(*content);
    out.introduction = std::move(*introduction);
    return std::nullopt;
}

net::Response prompt_not_found() { return to_response({ErrorCode::not_found, "no prompt with this id", "id"}); }
}  // namespace

Reply create_prompt(ApiContext& ctx, net::Request request) {
    store::Prompt prompt;
    if (auto error = read_prompt(request, prompt)) co_return to_response(*error);
    auto now = ctx.clock.now();
    prompt.id = core::new_object_id(now);
    prompt.created_at = prompt.updated_at = now;
    co_await net::offload(ctx.write_pool, [&] {
        ctx.store.prompts().create(prompt);
        return true;
    });
    auto response = json_response(201, to_json(prompt));
    response.headers.emplace_back("Location", "/api/prompts/" + prompt.id);
    co_return response;
}

Reply list_prompts(ApiContext& ctx, net::Request request) {
    QueryReader query(request);
    query.reject_unknown({"limit", "cursor"});
    auto page_request = query.page();
    if (query.error()) co_return to_response(*query.error());
    try {
        auto page = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().list(page_request); });
        co_return json_response(200, page_to_json(page));
    } catch (const std::invalid_argument&) {
        co_return to_response({ErrorCode::invalid_query, "cursor is not one this server issued", "cursor"});
    }
}

Reply get_prompt(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto prompt = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().get(id); });
    if (!prompt) co_return prompt_not_found();
    co_return json_response(200, to_json(*prompt));
}

Reply replace_prompt(ApiContext& ctx, net::Request request) {
    store::Prompt prompt;
    if (auto error = read_prompt(request, prompt)) co_return to_response(*error);
    prompt.id = std::string(request.path_param("id"));
    prompt.updated_at = ctx.clock.now();
    auto updated = co_await net::offload(ctx.write_pool, [&] { return ctx.store.prompts().update(prompt); });
    if (!updated) co_return prompt_not_found();
    co_return json_response(200, to_json(*updated));
}

Reply delete_prompt(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    bool removed = co_await net::offload(ctx.write_pool, [&] { return ctx.store.prompts().remove(id); });
    if (!removed) co_return prompt_not_found();
    net::Response response;
    response.status = 204;
    co_return response;
}

}  // namespace va::api
