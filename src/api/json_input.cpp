#include "api/json_input.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

namespace va::api {

namespace json = boost::json;

bool says_json(const net::Request& request) { return net::has_media_type(request, "application/json"); }

ApiResult<json::object> parse_json_object(const net::Request& request) {
    if (!says_json(request)) {
        return ApiError{ErrorCode::unsupported_media_type, "the body must be sent as Content-Type: application/json", ""};
    }
    json::error_code ec;
    json::parse_options options;
    options.max_depth = 16;
    auto value = json::parse(request.body, ec, {}, options);
    if (ec) return ApiError{ErrorCode::malformed_json, "the body is not valid JSON: " + ec.message(), ""};
    if (!value.is_object()) return ApiError{ErrorCode::not_an_object, "the body must be a JSON object", ""};
    return std::move(value.as_object());
}

void ObjectReader::fail(ErrorCode code, std::string message, std::string field) {
    if (!error_) error_ = ApiError{code, std::move(message), std::move(field)};
}

const json::value* ObjectReader::find(std::string_view key, bool required) {
    auto it = object_.find(key);
    if (it == object_.end()) {
        if (required) fail(ErrorCode::missing_field, std::string(key) + " is required", std::string(key));
        return nullptr;
    }
    return &it->value();
}

std::optional<std::string> ObjectReader::string(std::string_view key, bool required, std::size_t max_length) {
    auto value = find(key, required);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
        fail(ErrorCode::wrong_type, std::string(key) + " must be a string", std::string(key));
        return std::nullopt;
    }
    const auto& s = value->get_string();
    if (s.size() > max_length) {
        fail(ErrorCode::invalid_value, std::string(key) + " is longer than " + std::to_string(max_length) + " bytes",
             std::string(key));
        return std::nullopt;
    }
    return std::string(s);
}

std::optional<std::vector<std::string>> ObjectReader::string_array(std::string_view key, bool required) {
    auto value = find(key, required);
    if (!value) return std::nullopt;
    if (!value->is_array()) {
        fail(ErrorCode::wrong_type, std::string(key) + " must be an array of strings", std::string(key));
        return std::nullopt;
    }
    std::vector<std::string> out;
    const auto& array = value->get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_string()) {
            auto field = std::string(key) + "[" + std::to_string(i) + "]";
            fail(ErrorCode::wrong_type, field + " must be a string", field);
            return std::nullopt;
        }
        out.emplace_back(array[i].get_string());
    }
    return out;
}

void ObjectReader::reject_unknown(std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : object_) {
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            fail(ErrorCode::unknown_field, std::string(key) + " is not a field of this resource", std::string(key));
            return;
        }
    }
}

std::size_t utf8_characters(std::string_view utf8) {
    return static_cast<std::size_t>(
        std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace va::api
