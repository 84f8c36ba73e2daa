#pragma once
// A scheduled call's optional settings as JSON objects, in the API's spelling, which is also how
// SQLite stores them (as text) and how a MongoDB document holds them (as subdocuments):
//   retry      {"maxAttempts": 3, "delaySeconds": 300}
//   callWindow {"start": "09:00", "end": "20:00", "timeZone": "Europe/Paris",
//               "recipientTimeZones": {"+14155552671": "America/Los_Angeles"}}
// The readers read stored data: a field of the wrong shape throws (std::exception).
#include <boost/json/object.hpp>

#include "store/model.hpp"

namespace va::store {

boost::json::object retry_to_json(const RetryPolicy& retry);
RetryPolicy retry_from_json(const boost::json::object& o);
boost::json::object call_window_to_json(const CallingWindow& window);
CallingWindow call_window_from_json(const boost::json::object& o);
// A recipient's variables {"name": "Maria"}; the reader keeps only string values.
boost::json::object variables_to_json(const core::Variables& variables);
core::Variables variables_from_json(const boost::json::object& o);

}  // namespace va::store
