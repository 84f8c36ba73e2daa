#pragma once
// Strict reading of JSON request bodies: content type, syntax, and typed fields with the first
// error kept. Unknown fields are errors, so that a client cannot set what it must not (status, ids).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "api/errors.hpp"
#include "net/http.hpp"

namespace va::api {

// True when the request's Content-Type is application/json (any parameters).
bool says_json(const net::Request& request);

// Checks Content-Type (application/json) and parses the body as a JSON object.
ApiResult<boost::json::object> parse_json_object(const net::Request& request);

class ObjectReader {
public:
    explicit ObjectReader(const boost::json::object& object) : object_(object) {}

    // Each returns nullopt when the field is absent or wrong; a wrong or missing-but-required field
    // records an error. `max_length` counts bytes.
    std::optional<std::string> string(std::string_view key, bool required, std::size_t max_length);
    std::optional<std::vector<std::string>> string_array(std::string_view key, bool required);
    void reject_unknown(std::initializer_list<std::string_view> known);

    // A field-level error found by the caller (e.g. a value out of range).
    void fail(ErrorCode code, std::string message, std::string field);
    const std::optional<ApiError>& error() const { return error_; }

private:
    const boost::json::value* find(std::string_view key, bool required);

    const boost::json::object& object_;
    std::optional<ApiError> error_;
};

// Characters (code points) of valid UTF-8 text, which is what a length limit counts.
std::size_t utf8_characters(std::string_view utf8);

}  // namespace va::api
