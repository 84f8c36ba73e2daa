#pragma once
// Phone-number policy on top of libphonenumber: parse, normalise to E.164, refuse what we must not
// call (invalid numbers, premium-rate and shared-cost numbers, number types that toll fraud and
// misdials reach, countries outside an allow-list).
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
    // Personal (follow-me), UAN, voicemail-access, pager and non-geographic (+800, +882, ...)
    // numbers: never a patient or a customer's line, and a way to run up a bill.
    bool allow_special = false;
};

enum class PhoneError {
    unparsable, invalid, premium_rate, shared_cost,
    personal_number, uan, voicemail_access, pager, non_geographic,
    region_not_allowed,
};

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

// The country a number's calls come from: its region, or for a number libphonenumber cannot place
// (a test number such as +15550001111) its country code's main region ("US" for +1). "ZZ" when
// not even the country code is known.
std::string home_region_of(std::string_view e164);

// True when `region` is an ISO 3166 alpha-2 region libphonenumber knows.
bool is_known_region(std::string_view region);

}  // namespace va::core
