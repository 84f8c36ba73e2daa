#include "telephony/twilio/dates.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace va::twilio {
namespace {

core::TimePoint at(std::string_view rfc3339) { return *core::parse_rfc3339(rfc3339); }

std::string to_rfc3339(std::string_view rfc2822) {
    auto t = parse_rfc2822(rfc2822);
    return t ? core::format_rfc3339(*t) : "rejected";
}

TEST(TwilioRfc2822, FormatsLikeTwilio) {
    EXPECT_EQ(format_rfc2822(at("2010-08-31T20:36:28Z")), "Tue, 31 Aug 2010 20:36:28 +0000");
    EXPECT_EQ(format_rfc2822(at("2026-01-04T03:04:05.999Z")), "Sun, 04 Jan 2026 03:04:05 +0000");  // ms dropped
    EXPECT_EQ(format_rfc2822(at("1969-12-31T23:59:59.500Z")), "Wed, 31 Dec 1969 23:59:59 +0000");
    EXPECT_EQ(format_rfc2822(at("2028-02-29T12:00:00Z")), "Tue, 29 Feb 2028 12:00:00 +0000");
}

TEST(TwilioRfc2822, ParsesUtcAndNumericOffsets) {
    EXPECT_EQ(to_rfc3339("Tue, 31 Aug 2010 20:36:28 +0000"), "2010-08-31T20:36:28.000Z");
    EXPECT_EQ(to_rfc3339("Tue, 31 Aug 2010 22:36:28 +0200"), "2010-08-31T20:36:28.000Z");
    EXPECT_EQ(to_rfc3339("Tue, 31 Aug 2010 15:06:28 -0530"), "2010-08-31T20:36:28.000Z");
    EXPECT_EQ(to_rfc3339("Wed, 01 Sep 2010 00:30:00 +0100"), "2010-08-31T23:30:00.000Z");  // crosses midnight
    EXPECT_EQ(to_rfc3339("31 Aug 2010 20:36:28 +0000"), "2010-08-31T20:36:28.000Z");       // no day name
    EXPECT_EQ(to_rfc3339("Sun, 4 Jan 2026 03:04 +0000"), "2026-01-04T03:04:00.000Z");      // 1-digit day, no seconds
}

TEST(TwilioRfc2822, RoundTrips) {
    for (auto text : {"2010-08-31T20:36:28Z", "2026-11-25T00:00:00Z", "2000-02-29T23:59:59Z", "1970-01-01T00:00:00Z"}) {
        auto t = at(text);
        EXPECT_EQ(parse_rfc2822(format_rfc2822(t)), t) << text;
    }
}

TEST(HttpDate, FormatsAndParsesImfFixdateOnly) {
    EXPECT_EQ(format_http_date(at("2026-12-07T01:35:46.900Z")), "Mon, 07 Dec 2026 01:35:46 GMT");
    EXPECT_EQ(parse_http_date("Mon, 07 Dec 2026 01:35:46 GMT"), at("2026-12-07T01:35:46Z"));
    for (auto bad : {"Mon, 07 Dec 2026 01:35:46 +0000", "Mon, 7 Dec 2026 01:35:46 GMT", "Tue, 07 Dec 2026 01:35:46 GMT",
                     "Monday, 07-Dec-26 01:35:46 GMT", "", "GMT"}) {
        EXPECT_FALSE(parse_http_date(bad)) << bad;
    }
}

TEST(TwilioRfc2822, KnowsLeapYears) {
    EXPECT_EQ(to_rfc3339("Thu, 29 Feb 2024 10:00:00 +0000"), "2024-02-29T10:00:00.000Z");
    EXPECT_EQ(to_rfc3339("Tue, 29 Feb 2000 10:00:00 +0000"), "2000-02-29T10:00:00.000Z");
    EXPECT_EQ(to_rfc3339("29 Feb 2023 10:00:00 +0000"), "rejected");
    EXPECT_EQ(to_rfc3339("29 Feb 2100 10:00:00 +0000"), "rejected");
    EXPECT_EQ(to_rfc3339("31 Apr 2026 10:00:00 +0000"), "rejected");
}

TEST(TwilioRfc2822, RejectsEverythingElse) {
    for (std::string_view bad : {
             "", "Tue", "Tue, 31 Aug 2010", "Wed, 31 Aug 2010 20:36:28 +0000",  // wrong day name
             "Tue, 31 Aug 2010 20:36:28 GMT", "Tue, 31 Aug 2010 20:36:28 UT", "Tue, 31 Aug 2010 20:36:28",
             "Tue, 31 aug 2010 20:36:28 +0000", "Tue, 31 August 2010 20:36:28 +0000", "tue, 31 Aug 2010 20:36:28 +0000",
             "Tue, 31 Aug 10 20:36:28 +0000", "Tue, 31 Aug 2010 24:00:00 +0000", "Tue, 31 Aug 2010 20:60:00 +0000",
             "Tue, 31 Aug 2010 20:36:60 +0000", "Tue, 31 Aug 2010 20:36:28 +2400", "Tue, 31 Aug 2010 20:36:28 +0060",
             "Tue, 31 Aug 2010 20:36:28 +000", "Tue, 31 Aug 2010 20:36:28 0000", "Tue, 31 Aug 2010 20:36:28 +0000 ",
             "Tue,  31 Aug 2010 20:36:28 +0000", "Tue 31 Aug 2010 20:36:28 +0000", "Tue, 031 Aug 2010 20:36:28 +0000",
             "Tue, 00 Aug 2010 20:36:28 +0000", "2010-08-31T20:36:28Z", "Tue, 31 Aug 2010 20:36:2 +0000",
             "Xyz, 31 Aug 2010 20:36:28 +0000", "Tue, 31 Aug 2010 20:36:28 +00:00"}) {
        EXPECT_FALSE(parse_rfc2822(bad)) << bad;
    }
}

}  // namespace
}  // namespace va::twilio
