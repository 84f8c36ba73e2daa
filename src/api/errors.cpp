#include "api/errors.hpp"

#include <stdexcept>

namespace va::api {

namespace {
struct Entry {
    ErrorCode code;
    unsigned status;
    std::string_view name;
};

constexpr Entry kTable[] = {
    {ErrorCode::malformed_json, 400, "malformed_json"},
    {ErrorCode::not_an_object, 400, "not_an_object"},
    {ErrorCode::invalid_query, 400, "invalid_query"},
    {ErrorCode::unknown_parameter, 400, "unknown_parameter"},
    {ErrorCode::invalid_header, 400, "invalid_header"},
    {ErrorCode::unauthorized, 401, "unauthorized"},
    {ErrorCode::forbidden, 403, "forbidden"},
    {ErrorCode::not_found, 404, "not_found"},
    {ErrorCode::conflict, 409, "conflict"},
    {ErrorCode::idempotency_conflict, 409, "idempotency_conflict"},
    {ErrorCode::not_live, 409, "not_live"},
    {ErrorCode::body_too_large, 413, "body_too_large"},
    {ErrorCode::unsupported_media_type, 415, "unsupported_media_type"},
    {ErrorCode::too_many_requests, 429, "too_many_requests"},
    {ErrorCode::busy, 503, "busy"},
    {ErrorCode::store_unavailable, 503, "store_unavailable"},
    {ErrorCode::unavailable, 503, "unavailable"},
    {ErrorCode::wrong_type, 422, "wrong_type"},
    {ErrorCode::missing_field, 422, "missing_field"},
    {ErrorCode::unknown_field, 422, "unknown_field"},
    {ErrorCode::invalid_value, 422, "invalid_value"},
    {ErrorCode::invalid_phone_number, 422, "invalid_phone_number"},
    {ErrorCode::invalid_date_time, 422, "invalid_date_time"},
    {ErrorCode::unknown_prompt, 422, "unknown_prompt"},
};

const Entry& entry(ErrorCode code) {
    for (const auto& e : kTable) {
        if (e.code == code) return e;
    }
    return kTable[0];  // unreachable: every code has an entry (checked by a test)
}
}  // namespace

unsigned http_status(ErrorCode code) { return entry(code).status; }
std::string_view to_string(ErrorCode code) { return entry(code).name; }

net::Response to_response(const ApiError& error) {
    return net::error_response(http_status(error.code), to_string(error.code), error.message, error.field);
}

void throw_exception_from_error(const ApiError& error, const boost::source_location& location) {
    throw std::logic_error("an API error was used as a value at " + std::string(location.file_name()) + ":" +
                           std::to_string(location.line()) + ": " + error.message);
}

}  // namespace va::api
