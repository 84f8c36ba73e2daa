#pragma once
// Record ids in MongoDB ObjectId format (24 lowercase hex digits: 4-byte seconds, 5 random bytes
// fixed per process, 3-byte counter), so SQLite and MongoDB deployments share one id shape.
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace va::core {

std::string new_object_id(TimePoint now);
bool is_object_id(std::string_view s);

}  // namespace va::core
