#include "core/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace va::core {

namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Longer input is no phone number; it is not worth handing to the parser.
constexpr size_t kMaxInputLength = 64;

std::optional<PhoneError> special_type_error(const PhoneNumberUtil& util, const PhoneNumber& number,
                                             PhoneNumberUtil::PhoneNumberType type) {
    switch (type) {
        case PhoneNumberUtil::PERSONAL_NUMBER:
            return PhoneError::personal_number;
        case PhoneNumberUtil::UAN:
            return PhoneError::uan;
        case PhoneNumberUtil::VOICEMAIL:
            return PhoneError::voicemail_access;
        case PhoneNumberUtil::PAGER:
            return PhoneError::pager;
        default:
            break;
    }
    // A country code that belongs to no country (+800 freephone, +808 shared cost, +870 Inmarsat,
    // +881/+882/+883 satellite and international networks): a table lookup, no pattern matching.
    std::string region;
    util.GetRegionCodeForCountryCode(number.country_code(), &region);
    if (region == PhoneNumberUtil::kRegionCodeForNonGeoEntity) return PhoneError::non_geographic;
    return std::nullopt;
}
}  // namespace

PhoneValidator::PhoneValidator(PhonePolicy policy) : policy_(std::move(policy)) {}

PhoneCheck PhoneValidator::check(std::string_view input) const {
    const auto& util = *PhoneNumberUtil::GetInstance();
    PhoneCheck out;
    if (input.empty() || input.size() > kMaxInputLength) {
        out.error = PhoneError::unparsable;
        return out;
    }
    // "ZZ" (unknown region) makes the parser demand a leading '+'.
    const std::string region = policy_.default_region.empty() ? "ZZ" : policy_.default_region;
    PhoneNumber number;
    if (util.Parse(std::string(input), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        out.error = PhoneError::unparsable;
        return out;
    }
    // GetNumberType is UNKNOWN exactly when IsValidNumber is false (both match the number against
    // its region's patterns), so one call answers both; libphonenumber's pattern matching is the
    // main cost of validating a scheduled call (see docs/benchmarks.md).
    auto type = util.GetNumberType(number);
    if (type == PhoneNumberUtil::UNKNOWN) {
        out.error = PhoneError::invalid;
        return out;
    }
    if (!policy_.allow_premium && type == PhoneNumberUtil::PREMIUM_RATE) {
        out.error = PhoneError::premium_rate;
        return out;
    }
    if (!policy_.allow_premium && type == PhoneNumberUtil::SHARED_COST) {
        out.error = PhoneError::shared_cost;
        return out;
    }
    if (!policy_.allow_special) {
        if (auto special = special_type_error(util, number, type)) {
            out.error = special;
            return out;
        }
    }
    if (!policy_.allowed_regions.empty()) {
        // Only looked up when needed: it is another pass over the region's patterns.
        std::string number_region;
        util.GetRegionCodeForNumber(number, &number_region);
        if (!policy_.allowed_regions.contains(number_region)) {
            out.error = PhoneError::region_not_allowed;
            return out;
        }
    }
    util.Format(number, PhoneNumberUtil::E164, &out.e164);
    return out;
}

std::string_view describe(PhoneError error) {
    switch (error) {
        case PhoneError::unparsable:
            return "not a phone number in international format (+ and country code)";
        case PhoneError::invalid:
            return "not a valid phone number";
        case PhoneError::premium_rate:
            return "premium-rate numbers are not allowed";
        case PhoneError::shared_cost:
            return "shared-cost numbers are not allowed";
        case PhoneError::personal_number:
            return "personal (follow-me) numbers are not allowed";
        case PhoneError::uan:
            return "universal access numbers (UAN) are not allowed";
        case PhoneError::voicemail_access:
            return "voicemail-access numbers are not allowed";
        case PhoneError::pager:
            return "pager numbers are not allowed";
        case PhoneError::non_geographic:
            return "non-geographic numbers (+800 and the like) are not allowed";
        case PhoneError::region_not_allowed:
            return "this country is not in the allowed list";
    }
    return "not a valid phone number";
}

std::string mask_phone(std::string_view number) {
    if (number.size() <= 4) return std::string(4, '*');
    return std::string(number.size() - 4, '*') + std::string(number.substr(number.size() - 4));
}

bool is_known_region(std::string_view region) {
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.contains(std::string(region));
}

std::string region_of(std::string_view e164) {
    const auto& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "ZZ";
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    return region;
}

std::string home_region_of(std::string_view e164) {
    const auto& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "ZZ";
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    if (region == "ZZ" || region == PhoneNumberUtil::kRegionCodeForNonGeoEntity)
        util.GetRegionCodeForCountryCode(number.country_code(), &region);
    return region;
}

}  // namespace va::core
