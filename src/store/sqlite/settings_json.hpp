#pragma once
// Internal to store/sqlite: a scheduled call's optional settings as the JSON of their columns,
// in the API's spelling so that the stored text reads like the request:
//   retry      {"maxAttempts": 3, "delaySeconds": 300}
//   callWindow {"start": "09:00", "end": "20:00", "timeZone": "Europe/Paris",
//               "recipientTimeZones": {"+14155552671": "America/Los_Angeles"}}
#include <optional>
#include <string>

#include "store/model.hpp"

namespace va::store::sqlite {

std::optional<std::string> retry_to_json(const std::optional<RetryPolicy>& retry);
std::optional<RetryPolicy> retry_from_json(const std::string& text);
std::optional<std::string> call_window_to_json(const std::optional<CallingWindow>& window);
std::optional<CallingWindow> call_window_from_json(const std::string& text);

}  // namespace va::store::sqlite
