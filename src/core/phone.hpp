#pragma once
// Phone-number policy on top of libphonenumber: parse, normalise to E.164, refuse what we must not
// call (invalid numbers, premium-rate and shared-cost numbers, countries outside an allow-list).
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace va::core {

struct PhonePolicy {
    // Region (ISO 3166 alpha-2, e.g. "US") for numbers written without "+country code";
    // empty means such numbers are rejected.
    std::string default_region;
    // Regions allowed as destinations; empty means all.
    std::set<std::string> allowed_regions;
    bool allow_premium = false;  // premium-rate and shared-cost numbers (toll-fraud protection)
};

enum class PhoneError { unparsable, invalid, premium_rate, shared_cost, region_not_allowed };

struct PhoneCheck {
    std::string e164;  // set when ok
    std::optional<PhoneError> error;
    bool ok() const { return !error.has_value(); }
};

class PhoneValidator {
public:
    explicit PhoneValidator(PhonePolicy policy);
    PhoneCheck check(std::string_view input) const;
    const PhonePolicy& policy() const { return policy_; }

private:
    PhonePolicy policy_;
};

// A human-readable reason for an error, e.g. "premium-rate numbers are not allowed".
std::string_view describe(PhoneError error);

// "+14155552671" -> "*******2671": what logs may show of a phone number.
std::string mask_phone(std::string_view number);

// The region (ISO 3166 alpha-2) an E.164 number belongs to: "US"; "001" for non-geographic
// numbers, "ZZ" when unknown.
std::string region_of(std::string_view e164);

// True when `region` is an ISO 3166 alpha-2 region libphonenumber knows.
bool is_known_region(std::string_view region);

}  // namespace va::core
