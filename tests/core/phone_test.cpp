#include "core/phone.hpp"

#include <gtest/gtest.h>

namespace va::core {
namespace {

TEST(PhoneValidator, NormalisesToE164) {
    PhoneValidator v({});
    auto check = v.check("+1 (415) 555-2671");
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check.e164, "+14155552671");
    EXPECT_EQ(v.check("+44 20 7183 8750").e164, "+442071838750");
}

TEST(PhoneValidator, NeedsACountryCodeUnlessADefaultRegionIsSet) {
    EXPECT_EQ(PhoneValidator({}).check("(415) 555-2671").error, PhoneError::unparsable);
    auto check = PhoneValidator({"US", {}, false}).check("(415) 555-2671");
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check.e164, "+14155552671");
    // The default region only fills in a missing country code; it does not override one.
    PhoneValidator uk({"GB", {}, false});
    EXPECT_EQ(uk.check("020 7183 8750").e164, "+442071838750");
    EXPECT_EQ(uk.check("+1 415 555 2671").e164, "+14155552671");
    EXPECT_EQ(PhoneValidator({}).check("020 7183 8750").error, PhoneError::unparsable);
}

TEST(PhoneValidator, RefusesInvalidAndGarbageInput) {
    PhoneValidator v({});
    EXPECT_EQ(v.check("+1 555 0000").error, PhoneError::invalid);
    EXPECT_EQ(v.check("call me maybe").error, PhoneError::unparsable);
    EXPECT_EQ(v.check("").error, PhoneError::unparsable);
    EXPECT_EQ(v.check("+" + std::string(100, '1')).error, PhoneError::unparsable);
    EXPECT_EQ(v.check(std::string("+1415\0" "5552671", 12)).ok(), false);
    EXPECT_EQ(v.check("+999 1234").error, PhoneError::unparsable);      // no such country code
    EXPECT_EQ(v.check("+1 415 555 267100").error, PhoneError::invalid);  // too long for the US
    EXPECT_EQ(v.check("+").error, PhoneError::unparsable);
}

TEST(PhoneValidator, RefusesInputLongerThanSixtyFourCharactersBeforeParsing) {
    PhoneValidator v({});
    std::string padded = "+14155552671" + std::string(52, ' ');  // 64: still parsed
    EXPECT_EQ(v.check(padded).e164, "+14155552671");
    EXPECT_EQ(v.check(padded + " ").error, PhoneError::unparsable);
}

TEST(PhoneValidator, RefusesPremiumRateAndSharedCostByDefault) {
    PhoneValidator strict({});
    EXPECT_EQ(strict.check("+1 900 555 0123").error, PhoneError::premium_rate);
    EXPECT_EQ(strict.check("+33 8 10 12 34 56").error, PhoneError::shared_cost);
    // libphonenumber files UK 084x/087x ("shared cost" in everyday speech) under premium rate.
    EXPECT_EQ(strict.check("+44 845 464 6464").error, PhoneError::premium_rate);
    EXPECT_EQ(strict.check("+44 909 876 5432").error, PhoneError::premium_rate);
    EXPECT_TRUE(strict.check("+1 800 555 0123").ok());  // toll-free costs the caller nothing
    PhoneValidator open({"", {}, true});
    EXPECT_TRUE(open.check("+1 900 555 0123").ok());
    EXPECT_TRUE(open.check("+33 8 10 12 34 56").ok());
}

TEST(PhoneValidator, LimitsDestinationsToTheAllowedRegions) {
    PhoneValidator v({"", {"US", "CA"}, false});
    EXPECT_TRUE(v.check("+14155552671").ok());
    EXPECT_TRUE(v.check("+1 604 555 0123").ok());  // +1 is shared: Vancouver is CA, not US
    EXPECT_EQ(v.check("+442071838750").error, PhoneError::region_not_allowed);
    // Non-geographic numbers belong to region "001", which an allow-list of countries excludes.
    PhoneValidator special_allowed({"", {"US", "CA"}, false, true});
    EXPECT_EQ(special_allowed.check("+800 1234 5678").error, PhoneError::region_not_allowed);
    // Premium rate is reported even inside the allowed regions.
    EXPECT_EQ(v.check("+1 900 555 0123").error, PhoneError::premium_rate);
    EXPECT_TRUE(PhoneValidator({"", {"US"}, true}).check("+1 900 555 0123").ok());
}

// libphonenumber's own example numbers of each type.
TEST(PhoneValidator, RefusesPersonalUanVoicemailPagerAndNonGeographicNumbersByDefault) {
    PhoneValidator strict({});
    EXPECT_EQ(strict.check("+35570021234").error, PhoneError::personal_number);  // Albania 700
    EXPECT_EQ(strict.check("+1 500 234 5678").error, PhoneError::personal_number);  // NANP 500
    EXPECT_EQ(strict.check("+971600212345").error, PhoneError::uan);
    EXPECT_EQ(strict.check("+49177991234567").error, PhoneError::voicemail_access);
    EXPECT_EQ(strict.check("+611631234").error, PhoneError::pager);
    EXPECT_EQ(strict.check("+800 1234 5678").error, PhoneError::non_geographic);  // freephone
    EXPECT_EQ(strict.check("+882 342 1234").error, PhoneError::non_geographic);   // international networks
    EXPECT_TRUE(strict.check("+14155552671").ok());
    EXPECT_TRUE(strict.check("+49 151 23456789").ok());  // a German mobile
    PhoneValidator open({"", {}, false, true});
    for (auto n : {"+35570021234", "+971600212345", "+49177991234567", "+611631234", "+800 1234 5678"}) {
        EXPECT_TRUE(open.check(n).ok()) << n;
    }
}

TEST(HomeRegion, IsTheNumbersCountryOrItsCountryCodesMainOne) {
    EXPECT_EQ(home_region_of("+14155552671"), "US");
    EXPECT_EQ(home_region_of("+16045550123"), "CA");
    EXPECT_EQ(home_region_of("+15550001111"), "US");  // not a valid number, but +1
    EXPECT_EQ(home_region_of("+447700900123"), "GB");
    EXPECT_EQ(home_region_of("+15005550006"), "US");  // Twilio's test caller id
    EXPECT_EQ(home_region_of("nonsense"), "ZZ");
}

TEST(PhoneValidator, DescribesEveryError) {
    for (auto e : {PhoneError::unparsable, PhoneError::invalid, PhoneError::premium_rate, PhoneError::shared_cost,
                   PhoneError::personal_number, PhoneError::uan, PhoneError::voicemail_access, PhoneError::pager,
                   PhoneError::non_geographic, PhoneError::region_not_allowed}) {
        EXPECT_FALSE(describe(e).empty());
    }
}

TEST(MaskPhone, KeepsOnlyTheLastFourDigits) {
    EXPECT_EQ(mask_phone("+14155552671"), "********2671");
    EXPECT_EQ(mask_phone("+442071838750"), "*********8750");
    EXPECT_EQ(mask_phone("12345"), "*2345");
    EXPECT_EQ(mask_phone("2671"), "****");
    EXPECT_EQ(mask_phone("123"), "****");
    EXPECT_EQ(mask_phone(""), "****");
}

TEST(Regions, KnowsIsoRegionCodes) {
    EXPECT_TRUE(is_known_region("US"));
    EXPECT_TRUE(is_known_region("GB"));
    EXPECT_FALSE(is_known_region("XX"));
    EXPECT_FALSE(is_known_region("us"));
    EXPECT_FALSE(is_known_region(""));
    EXPECT_FALSE(is_known_region("001"));  // non-geographic, not a region
}

}  // namespace
}  // namespace va::core
