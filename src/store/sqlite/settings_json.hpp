#pragma once
// Internal to store/sqlite: a scheduled call's optional settings as the JSON text of their
// columns (NULL when unset), in the spelling of store/settings_json.hpp.
#include <optional>
#include <string>

#include "store/model.hpp"

namespace va::store::sqlite {

std::optional<std::string> retry_to_json(const std::optional<RetryPolicy>& retry);
std::optional<RetryPolicy> retry_from_json(const std::string& text);
std::optional<std::string> call_window_to_json(const std::optional<CallingWindow>& window);
std::optional<CallingWindow> call_window_from_json(const std::string& text);
// A recipient's variables: NULL when it has none.
std::optional<std::string> variables_to_json(const core::Variables& variables);
core::Variables variables_from_json(const std::string& text);

}  // namespace va::store::sqlite
