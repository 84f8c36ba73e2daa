#pragma once
// Every error the API can answer, and the one table that maps each to its HTTP status.
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

#include "net/http.hpp"

namespace va::api {

enum class ErrorCode {
    malformed_json,          // 400: the body is not JSON
    not_an_object,           // 400: the body is JSON but not an object
    invalid_query,           // 400: a query parameter is malformed
    unknown_parameter,       // 400: a query parameter we do not know
    invalid_header,          // 400: e.g. a malformed Idempotency-Key
    unauthorized,            // 401
    forbidden,               // 403
    not_found,               // 404
    conflict,                // 409: the record is not in a state that allows this
    idempotency_conflict,    // 409: Idempotency-Key reused with another body
    not_live,                // 409: the call is not in progress (hang-up)
    body_too_large,          // 413
    unsupported_media_type,  // 415
    too_many_requests,       // 429: over the caller's rate limit
    busy,                    // 503: the store's queue of writes is full; retry shortly
    store_unavailable,       // 503: the store (a MongoDB deployment) does not answer; retry later
    unavailable,             // 503: this server cannot do it now (no voice here, a synthesis failed)
    wrong_type,              // 422: a field has the wrong JSON type
    missing_field,           // 422
    unknown_field,           // 422
    invalid_value,           // 422: right type, unacceptable value
    invalid_phone_number,    // 422
    invalid_date_time,       // 422
    unknown_prompt,          // 422: promptId names no prompt
};

struct ApiError {
    ErrorCode code;
    std::string message;
    std::string field;  // the offending field or parameter, when there is one
};

// What a rule of the API answers: the value it read, or the error the client gets.
template <class T = void>
using ApiResult = boost::system::result<T, ApiError>;

// For ApiResult::value() on an error (found by argument-dependent lookup); the handlers check
// first, so this is a bug when it happens.
[[noreturn]] void throw_exception_from_error(const ApiError& error, const boost::source_location& location);

unsigned http_status(ErrorCode code);
std::string_view to_string(ErrorCode code);
net::Response to_response(const ApiError& error);

}  // namespace va::api
