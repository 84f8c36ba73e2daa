// /api/prompts: the system prompt and greeting a scheduled call snapshots at creation.
#include <algorithm>

#include "api/handlers.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "api/query.hpp"
#include "api/sha256.hpp"
#include "core/id.hpp"
#include "core/placeholders.hpp"
#include "net/offload.hpp"
#include "store/conversation_json.hpp"

namespace va::api {

namespace {
constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxContent = 32 * 1024;
constexpr std::size_t kMaxIntroduction = 4 * 1024;  // bytes, as stored before the limit below
// Every call speaks the introduction before anything else, and the greeting cache holds it: a
// new one is at most this many characters. Longer ones saved before still play.
constexpr std::size_t kMaxNewIntroductionCharacters = 1000;

net::Response introduction_too_long() {
    return to_response({ErrorCode::invalid_value,
                        "introduction is longer than " + std::to_string(kMaxNewIntroductionCharacters) +
                            " characters: every call says it first, so keep it short",
                        "introduction"});
}

// The optional `conversation` object: each field of store/conversation_json.hpp, in its range.
ApiResult<store::ConversationOverrides> read_conversation(const boost::json::value& value) {
    if (!value.is_object()) return ApiError{ErrorCode::wrong_type, "conversation must be an object", "conversation"};
    store::ConversationOverrides out;
    for (const auto& [key, v] : value.get_object()) {
        const auto field = "conversation." + std::string(key);
        bool known = false;
        for (const auto& f : store::kConversationDurations) {
            if (f.name != key) continue;
            known = true;
            if (!v.is_int64() && !v.is_uint64()) return ApiError{ErrorCode::wrong_type, field + " must be an integer", field};
            const bool in_range = v.is_int64() ? v.get_int64() >= f.min_ms && v.get_int64() <= f.max_ms
                                               : v.get_uint64() <= static_cast<std::uint64_t>(f.max_ms);
            if (!in_range) {
                return ApiError{ErrorCode::invalid_value,
                                field + " must be between " + std::to_string(f.min_ms) + " and " + std::to_string(f.max_ms),
                                field};
            }
            out.*f.member = v.to_number<std::int64_t>();
        }
        for (const auto& f : store::kConversationFlags) {
            if (f.name != key) continue;
            known = true;
            if (!v.is_bool()) return ApiError{ErrorCode::wrong_type, field + " must be true or false", field};
            out.*f.member = v.get_bool();
        }
        for (const auto& f : store::kConversationTexts) {
            if (f.name != key) continue;
            known = true;
            if (!v.is_string()) return ApiError{ErrorCode::wrong_type, field + " must be a string", field};
            if (v.get_string().empty()) return ApiError{ErrorCode::invalid_value, field + " must not be empty", field};
            if (v.get_string().size() > f.max_bytes) {
                return ApiError{ErrorCode::invalid_value,
                                field + " must be at most " + std::to_string(f.max_bytes) + " bytes", field};
            }
            out.*f.member = std::string(v.get_string());
        }
        if (!known) return ApiError{ErrorCode::unknown_field, field + " is not a field of conversation", field};
    }
    if (out.reprompt_after_ms && out.hangup_after_ms && *out.hangup_after_ms <= *out.reprompt_after_ms) {
        return ApiError{ErrorCode::invalid_value, "conversation.hangupAfterMs must be longer than repromptAfterMs",
                        "conversation.hangupAfterMs"};
    }
    return out;
}

// Reads name, content and introduction (all required: PUT replaces the whole prompt) and the
// optional conversation settings (absent: the deployment's for everything).
ApiResult<store::Prompt> read_prompt(const ApiContext& ctx, const net::Request& request) {
    auto parsed = parse_json_object(request);
    if (!parsed) return parsed.error();
    const auto& body = *parsed;
    ObjectReader reader(body);
    reader.reject_unknown({"name", "content", "introduction", "conversation"});
    auto name = reader.string("name", true, kMaxName);
    auto content = reader.string("content", true, kMaxContent);
    auto introduction = reader.string("introduction", true, kMaxIntroduction);
    if (name && name->empty()) reader.fail(ErrorCode::invalid_value, "name must not be empty", "name");
    if (content && content->empty()) reader.fail(ErrorCode::invalid_value, "content must not be empty", "content");
    for (const auto& [field, text] : {std::pair{"content", &content}, std::pair{"introduction", &introduction}}) {
        core::PlaceholderError bad;
        if (*text && !core::Template::parse(**text, &bad))
            reader.fail(ErrorCode::invalid_value,
                        std::string(field) + " has a bad placeholder at character " +
                            std::to_string(utf8_characters(std::string_view(**text).substr(0, bad.offset)) + 1) + ": " +
                            bad.message,
                        field);
    }
    if (reader.error()) return *reader.error();
    store::Prompt out;
    out.name = std::move(*name);
    out.content = std::move(*content);
    out.introduction = std::move(*introduction);
    if (auto conversation = body.find("conversation"); conversation != body.end()) {
        auto settings = read_conversation(conversation->value());
        if (!settings) return settings.error();
        out.conversation = std::move(*settings);
        if (ctx.check_conversation) {
            if (auto usable = ctx.check_conversation(out.conversation); !usable) return usable.error();
        }
    }
    return out;
}

net::Response prompt_not_found() { return to_response({ErrorCode::not_found, "no prompt with this id", "id"}); }
}  // namespace

Reply create_prompt(ApiContext& ctx, net::Request request) {
    auto read = read_prompt(ctx, request);
    if (!read) co_return to_response(read.error());
    auto& prompt = *read;
    if (utf8_characters(prompt.introduction) > kMaxNewIntroductionCharacters) co_return introduction_too_long();
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
    auto page = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().list(page_request); });
    co_return json_response(200, page_to_json(page));
}

Reply get_prompt(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto prompt = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().get(id); });
    if (!prompt) co_return prompt_not_found();
    co_return json_response(200, to_json(*prompt));
}

Reply prompt_introduction_wav(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto prompt = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().get(id); });
    if (!prompt) co_return prompt_not_found();
    if (!ctx.speak_introduction) {
        co_return to_response({ErrorCode::unavailable, "this server has no voice: it answers no calls (Twilio is not configured)", ""});
    }
    // The same words in the same voice are the same file: the browser keeps it until either changes.
    const auto etag = "\"" + sha256_hex(prompt->conversation.tts_voice + "\n" + prompt->introduction).substr(0, 16) + "\"";
    net::Response response;
    if (request.header("If-None-Match") == etag) {
        response.status = 304;
    } else {
        auto wav = co_await ctx.speak_introduction(*prompt);
        if (!wav) co_return to_response({ErrorCode::unavailable, "the introduction could not be synthesised; see the server log", ""});
        response.body = std::move(*wav);
    }
    response.content_type = "audio/wav";
    response.headers.emplace_back("ETag", etag);
    response.headers.emplace_back("Cache-Control", "private, no-cache");
    co_return response;
}

Reply replace_prompt(ApiContext& ctx, net::Request request) {
    auto read = read_prompt(ctx, request);
    if (!read) co_return to_response(read.error());
    auto& prompt = *read;
    prompt.id = std::string(request.path_param("id"));
    if (utf8_characters(prompt.introduction) > kMaxNewIntroductionCharacters) {
        // Unchanged, a long introduction saved before the limit may stay.
        auto stored = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.prompts().get(prompt.id); });
        if (!stored) co_return prompt_not_found();
        if (stored->introduction != prompt.introduction) co_return introduction_too_long();
    }
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
