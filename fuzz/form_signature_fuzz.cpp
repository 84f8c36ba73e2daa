// Webhook bodies and signatures: the form parser must never crash, what it accepts must encode
// and parse back to the same parameters, and signature checks must never crash or accept junk.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "telephony/twilio/form.hpp"
#include "telephony/twilio/signature.hpp"

using namespace va::twilio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The input is "URL \n signature \n body".
    const auto first = text.find('\n');
    const auto second = first == std::string_view::npos ? first : text.find('\n', first + 1);
    const auto url = text.substr(0, first);
    const auto signature = first == std::string_view::npos ? std::string_view() : text.substr(first + 1, second - first - 1);
    const auto body = second == std::string_view::npos ? text : text.substr(second + 1);
    auto form = parse_form(body);
    if (!form) return 0;
    auto again = parse_form(encode_form(*form));
    if (!again || *again != *form) __builtin_trap();
    const std::string token = "fuzz-token";
    const auto good = compute_signature(token, url, *form);
    if (!validate_signature(token, url, *form, good)) __builtin_trap();
    // Anything else accepted must at least look like a signature (base64 of 20 bytes).
    if (validate_signature(token, url, *form, signature) && signature.size() != good.size()) __builtin_trap();
    return 0;
}
