#pragma once
// SHA-256 as lower-case hex: the fingerprint of a request body (Idempotency-Key) or of what an
// answer was made from (an ETag).
#include <string>
#include <string_view>

namespace va::api {

std::string sha256_hex(std::string_view data);

}  // namespace va::api
