#pragma once
// Strict reading of query parameters: known names only, typed values, the first error kept.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "core/clock.hpp"
#include "net/http.hpp"
#include "store/model.hpp"

namespace va::api {

class QueryReader {
public:
    explicit QueryReader(const net::Request& request) : request_(request) {}

    std::optional<std::string> string(std::string_view name);
    std::optional<core::TimePoint> time(std::string_view name);  // RFC 3339
    std::optional<bool> boolean(std::string_view name);          // "true" or "false"
    store::PageRequest page();                                    // "limit" (1..200, default 50) and "cursor"
    void reject_unknown(std::initializer_list<std::string_view> known);

    void fail(ErrorCode code, std::string message, std::string field);
    const std::optional<ApiError>& error() const { return error_; }

private:
    const net::Request& request_;
    std::optional<ApiError> error_;
};

}  // namespace va::api
