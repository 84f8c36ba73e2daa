#pragma once
#include <string_view>

namespace va::api {
// The OpenAPI 3 description in src/api/openapi.json, compiled in.
std::string_view openapi_document();
}  // namespace va::api
