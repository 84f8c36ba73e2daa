#include "store/sqlite/settings_json.hpp"

#include <boost/json.hpp>

#include "store/settings_json.hpp"

namespace va::store::sqlite {

namespace json = boost::json;

std::optional<std::string> retry_to_json(const std::optional<RetryPolicy>& retry) {
    if (!retry) return std::nullopt;
    return json::serialize(store::retry_to_json(*retry));
}

std::optional<RetryPolicy> retry_from_json(const std::string& text) {
    return store::retry_from_json(json::parse(text).as_object());
}

std::optional<std::string> call_window_to_json(const std::optional<CallingWindow>& window) {
    if (!window) return std::nullopt;
    return json::serialize(store::call_window_to_json(*window));
}

std::optional<CallingWindow> call_window_from_json(const std::string& text) {
    return store::call_window_from_json(json::parse(text).as_object());
}

std::optional<std::string> variables_to_json(const core::Variables& variables) {
    if (variables.empty()) return std::nullopt;
    return json::serialize(store::variables_to_json(variables));
}

core::Variables variables_from_json(const std::string& text) {
    return store::variables_from_json(json::parse(text).as_object());
}

}  // namespace va::store::sqlite
