#include "api/query.hpp"

#include <algorithm>
#include <charconv>

#include "core/time_format.hpp"

namespace va::api {

void QueryReader::fail(ErrorCode code, std::string message, std::string field) {
    if (!error_) error_ = ApiError{code, std::move(message), std::move(field)};
}

std::optional<std::string> QueryReader::string(std::string_view name) {
    auto value = request_.query_param(name);
    if (!value) return std::nullopt;
    if (value->empty() || value->size() > 200) {
        fail(ErrorCode::invalid_query, std::string(name) + " must be 1 to 200 characters", std::string(name));
        return std::nullopt;
    }
    return std::string(*value);
}

std::optional<core::TimePoint> QueryReader::time(std::string_view name) {
    auto value = request_.query_param(name);
    if (!value) return std::nullopt;
    auto t = core::parse_rfc3339(*value);
    if (!t) {
        fail(ErrorCode::invalid_query, std::string(name) + " must be an RFC 3339 time with an offset",
             std::string(name));
    }
    return t;
}

std::optional<bool> QueryReader::boolean(std::string_view name) {
    auto value = request_.query_param(name);
    if (!value) return std::nullopt;
    if (*value == "true" || *value == "false") return *value == "true";
    fail(ErrorCode::invalid_query, std::string(name) + " must be true or false", std::string(name));
    return std::nullopt;
}

store::PageRequest QueryReader::page() {
    store::PageRequest page;
    if (auto limit = request_.query_param("limit")) {
        int n = 0;
        auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
        if (ec != std::errc{} || end != limit->data() + limit->size() || n < 1 || n > 200) {
            fail(ErrorCode::invalid_query, "limit must be a whole number from 1 to 200", "limit");
        } else {
            page.limit = n;
        }
    }
    if (auto text = string("cursor")) {
        page.after = store::parse_cursor(*text);
        if (!page.after) fail(ErrorCode::invalid_query, "cursor is not one this server issued", "cursor");
    }
    return page;
}

void QueryReader::reject_unknown(std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request_.query) {
        if (std::find(known.begin(), known.end(), std::string_view(name)) == known.end()) {
            fail(ErrorCode::unknown_parameter, name + " is not a parameter of this resource", name);
            return;
        }
    }
}

}  // namespace va::api
