#pragma once
// application/x-www-form-urlencoded bodies, as Twilio posts them to webhooks and as its REST API takes them.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace va::twilio {

// Order is kept and a name may repeat (Twilio sends StatusCallbackEvent once per value).
using Params = std::vector<std::pair<std::string, std::string>>;

// '+' decodes to a space and %XX to its byte; names and values are bytes, not validated as UTF-8.
// "a" (no '=') gives {"a", ""}; empty segments ("a=1&&b=2") are skipped; an empty body gives no params.
// Returns nullopt on a '%' not followed by two hex digits.
std::optional<Params> parse_form(std::string_view body);

// Percent-encodes every byte except the unreserved ones (A-Z a-z 0-9 - . _ ~); a space becomes %20.
std::string encode_form(const Params& params);

// The first value for `name`, or nullopt.
std::optional<std::string_view> find_param(const Params& params, std::string_view name);

// Every value for `name`, in order.
std::vector<std::string_view> find_all(const Params& params, std::string_view name);

}  // namespace va::twilio
