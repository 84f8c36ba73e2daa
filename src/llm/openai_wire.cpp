#include "llm/openai_wire.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace va::llm::openai {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxToolCalls = 64;
constexpr std::size_t kMaxToolCallBytes = 1024 * 1024;  // all arguments of one answer together
constexpr std::size_t kMaxErrorText = 300;

json::value tool_parameters(const Tool& tool) {
    if (tool.parameters.empty()) return json::object{{"type", "object"}, {"properties", json::object{}}};
    boost::system::error_code ec;
    auto value = json::parse(tool.parameters, ec);
    if (ec || !value.is_object())
        throw std::invalid_argument("tool " + tool.name + ": parameters are not a JSON object");
    return value;
}

json::object message_json(const Message& message) {
    json::object out;
    out["role"] = message.role;
    if (!message.tool_calls.empty()) {
        // OpenAI wants null rather than "" next to tool calls.
        if (message.content.empty()) {
            out["content"] = nullptr;
        } else {
            out["content"] = message.content;
        }
        json::array calls;
        for (const auto& call : message.tool_calls) {
            json::object function{{"name", call.name}, {"arguments", call.arguments.empty() ? "{}" : call.arguments}};
            calls.push_back(json::object{{"id", call.id}, {"type", "function"}, {"function", std::move(function)}});
        }
        out["tool_calls"] = std::move(calls);
    } else {
        out["content"] = message.content;
    }
    if (!message.tool_call_id.empty()) out["tool_call_id"] = message.tool_call_id;
    return out;
}

std::string_view string_or_empty(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end() || !it->value().is_string()) return {};
    return it->value().get_string();
}

const json::object* object_at(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : it->value().if_object();
}

std::string error_text(const json::value& error) {
    std::string text;
    if (const auto* s = error.if_string()) {
        text = *s;
    } else if (const auto* object = error.if_object()) {
        text = string_or_empty(*object, "message");
    }
    if (text.size() > kMaxErrorText) text = text.substr(0, kMaxErrorText) + "...";
    return text;
}

}  // namespace

std::string request_body(const OpenAiConfig& config, const ChatRequest& request) {
    json::object body;
    body["model"] = request.model.empty() ? config.model : request.model;
    json::array messages;
    for (const auto& message : request.messages) messages.push_back(message_json(message));
    body["messages"] = std::move(messages);
    body["stream"] = true;
    if (!request.tools.empty()) {
        json::array tools;
        for (const auto& tool : request.tools) {
            json::object function{{"name", tool.name}, {"description", tool.description}};
            function["parameters"] = tool_parameters(tool);
            tools.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
        }
        body["tools"] = std::move(tools);
    }
    if (config.temperature) body["temperature"] = *config.temperature;
    if (config.max_tokens) body["max_tokens"] = *config.max_tokens;
    return json::serialize(body);
}

std::string completions_url(std::string_view base_url) {
    auto query_at = base_url.find('?');
    auto base = base_url.substr(0, query_at);
    auto query = query_at == std::string_view::npos ? std::string_view{} : base_url.substr(query_at);
    if (!base.empty() && base.back() == '/') base.remove_suffix(1);
    return std::string(base) + "/chat/completions" + std::string(query);
}

std::string http_error(unsigned status, std::string_view body) {
    std::string out = "HTTP " + std::to_string(status);
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec || !value.is_object()) return out;
    auto it = value.get_object().find("error");
    if (it == value.get_object().end()) return out;
    if (auto text = error_text(it->value()); !text.empty()) out += ": " + text;
    return out;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "[redacted]");
        at += 10;
    }
    return text;
}

StreamDecoder::Step StreamDecoder::on_data(std::string_view payload) {
    Step step;
    if (payload == "[DONE]") {
        release(step);
        step.done = !step.error;
        return step;
    }
    boost::system::error_code ec;
    auto value = json::parse(payload, ec);
    if (ec || !value.is_object()) {
        step.error = "malformed stream chunk (not a JSON object)";
        return step;
    }
    const auto& chunk = value.get_object();
    if (auto it = chunk.find("error"); it != chunk.end()) {  // a failure reported mid-stream
        auto text = error_text(it->value());
        step.error = text.empty() ? "the stream reported an error" : "the stream reported an error: " + text;
        return step;
    }
    auto choices_it = chunk.find("choices");
    const auto* choices = choices_it == chunk.end() ? nullptr : choices_it->value().if_array();
    if (!choices || choices->empty()) return step;  // e.g. the usage chunk at the end
    const auto* choice = choices->front().if_object();
    if (!choice) {
        step.error = "malformed stream chunk (a choice is not an object)";
        return step;
    }
    if (const auto* delta = object_at(*choice, "delta")) {
        step.text = string_or_empty(*delta, "content");
        step.first_token = !step.text.empty();
        auto calls_it = delta->find("tool_calls");
        const auto* calls = calls_it == delta->end() ? nullptr : calls_it->value().if_array();
        for (std::size_t i = 0; calls && i < calls->size(); ++i) {
            const auto* fragment = (*calls)[i].if_object();
            if (!fragment) {
                step.error = "malformed stream chunk (a tool call is not an object)";
                return step;
            }
            auto index = static_cast<std::int64_t>(i);  // some servers leave it out with one call
            if (auto it = fragment->find("index"); it != fragment->end() && it->value().is_int64())
                index = it->value().get_int64();
            if (!pending_.contains(index) && pending_.size() == kMaxToolCalls) {
                step.error = "too many tool calls in one answer";
                return step;
            }
            auto& call = pending_[index];
            if (auto id = string_or_empty(*fragment, "id"); !id.empty()) call.id = id;
            if (const auto* function = object_at(*fragment, "function")) {
                if (auto name = string_or_empty(*function, "name"); !name.empty()) call.name = name;
                auto arguments = string_or_empty(*function, "arguments");
                pending_bytes_ += arguments.size();
                call.arguments += arguments;
            }
            if (pending_bytes_ > kMaxToolCallBytes) {
                step.error = "tool call arguments exceed " + std::to_string(kMaxToolCallBytes) + " bytes";
                return step;
            }
            step.first_token = true;
        }
    }
    if (auto it = choice->find("finish_reason"); it != choice->end() && it->value().is_string()) {
        finished_ = true;
        cut_at_length_ = it->value().get_string() == "length";
        release(step);
    }
    return step;
}

StreamDecoder::Step StreamDecoder::on_end() {
    Step step;
    if (!finished_) {
        step.error = "the stream ended before the answer was complete";
        return step;
    }
    release(step);
    step.done = !step.error;
    return step;
}

void StreamDecoder::release(Step& step) {
    if (pending_.empty()) return;
    if (cut_at_length_) {  // the arguments are cut short: not a call anyone should act on
        step.error = "the answer reached max_tokens inside a tool call";
        return;
    }
    for (const auto& [index, call] : pending_) {
        if (call.name.empty()) {
            step.error = "tool call " + std::to_string(index) + " has no name";
            return;
        }
    }
    for (auto& [index, call] : pending_) {
        if (call.arguments.empty()) call.arguments = "{}";
        step.tool_calls.push_back(std::move(call));
    }
    pending_.clear();
    pending_bytes_ = 0;
}

}  // namespace va::llm::openai
