#include "core/time_format.hpp"

#include <gtest/gtest.h>

namespace va::core {
namespace {

std::string round_trip(std::string_view text) {
    auto t = parse_rfc3339(text);
    return t ? format_rfc3339(*t) : "rejected";
}

TEST(Rfc3339, ParsesUtcAndOffsetsToTheSameInstant) {
    EXPECT_EQ(round_trip("2026-11-25T10:00:00Z"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T15:30:00+05:30"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T02:00:00-08:00"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25t10:00:00z"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25 10:00:00Z"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T00:30:00+01:00"), "2026-11-24T23:30:00.000Z");  // crosses midnight
}

TEST(Rfc3339, KeepsMillisecondsAndTruncatesFinerFractions) {
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.5Z"), "2026-11-25T10:00:00.500Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.123Z"), "2026-11-25T10:00:00.123Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.123999999Z"), "2026-11-25T10:00:00.123Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.099" + std::string(100, '9') + "Z"), "2026-11-25T10:00:00.099Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.000+01:00"), "2026-11-25T09:00:00.000Z");
}

TEST(Rfc3339, AcceptsLeapDaysOnlyInLeapYears) {
    EXPECT_EQ(round_trip("2028-02-29T00:00:00Z"), "2028-02-29T00:00:00.000Z");
    EXPECT_EQ(round_trip("2000-02-29T00:00:00Z"), "2000-02-29T00:00:00.000Z");  // divisible by 400
    EXPECT_EQ(round_trip("2027-02-29T00:00:00Z"), "rejected");
    EXPECT_EQ(round_trip("2100-02-29T00:00:00Z"), "rejected");  // divisible by 100 only
    EXPECT_EQ(round_trip("2026-04-31T00:00:00Z"), "rejected");
}

TEST(Rfc3339, AcceptsTheWholeOffsetRange) {
    EXPECT_EQ(round_trip("2026-11-25T10:00:00+23:59"), "2026-11-24T10:01:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00-23:59"), "2026-11-26T09:59:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00-00:00"), "2026-11-25T10:00:00.000Z");
    EXPECT_EQ(round_trip("2026-11-25T10:00:00.250+05:30"), "2026-11-25T04:30:00.250Z");
}

TEST(Rfc3339, KeepsResultsInsideFourDigitYears) {
    EXPECT_EQ(round_trip("9999-12-31T23:59:59.999Z"), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(round_trip("0001-01-01T00:59:59+00:59"), "0001-01-01T00:00:59.000Z");
    EXPECT_EQ(round_trip("9999-12-31T23:00:00-01:00"), "rejected");  // year 10000 in UTC
    EXPECT_EQ(round_trip("0001-01-01T00:00:00+01:00"), "rejected");  // year 0 in UTC
}

TEST(Rfc3339, RejectsEverythingElse) {
    for (auto text : {"2026-11-25T10:00:00",          // naive local time
                      "2026-11-25",                   // date only
                      "2026-02-30T10:00:00Z",         // no such day
                      "2026-13-01T10:00:00Z",         // no such month
                      "2026-11-25T24:00:00Z",         // hour 24
                      "2026-11-25T10:60:00Z",         // minute 60
                      "2026-12-31T23:59:60Z",         // leap second
                      "2026-11-25T10:00:00+24:00",    // offset out of range
                      "2026-11-25T10:00:00+0500",     // offset without colon
                      "2026-11-25T10:00:00.Z",        // empty fraction
                      "2026-11-25T10:00:00Zjunk",     // trailing garbage
                      "0000-01-01T00:00:00Z",         // year 0
                      "26-11-25T10:00:00Z", "2026/11/25T10:00:00Z", "2026-11-25X10:00:00Z", "", "tomorrow",
                      "2026-1a-25T10:00:00Z",
                      "2026-11-25T10:00:00+05",       // offset without minutes
                      "2026-11-25T10:00:00+05:3",     // offset cut short
                      "2026-11-25T10:00:00+05:60",    // offset minute 60
                      "2026-11-25T10:00:00+",         // sign only
                      "2026-11-25T10:00Z",            // no seconds
                      "2026-11-25T10:00:00.1.2Z",     // two fractions
                      "2026-11-25T10:00:00,5Z",       // comma fraction (ISO 8601, not RFC 3339)
                      " 2026-11-25T10:00:00Z",        // leading space
                      "2026-11-25T10:00:00Z ",        // trailing space
                      "+2026-11-25T10:00:00Z",        // signed year
                      "12026-11-25T10:00:00Z",        // five-digit year
                      "2026-00-25T10:00:00Z",         // month 0
                      "2026-11-00T10:00:00Z",         // day 0
                      "2026-11-25T10:00:00\xc2\xa0Z"}) {  // non-ASCII space
        EXPECT_FALSE(parse_rfc3339(text)) << text;
    }
    EXPECT_FALSE(parse_rfc3339(std::string_view("2026-11-25T10:00:00Z\0", 21)));  // embedded NUL
    for (size_t n = 0; n < 25; ++n) {  // every prefix of a valid time, including ones cut mid-offset
        std::string_view whole = "2026-11-25T10:00:00+05:30";
        EXPECT_FALSE(parse_rfc3339(whole.substr(0, n))) << n;
    }
}

TEST(Rfc3339, FormatsTimesBeforeTheEpoch) {
    EXPECT_EQ(round_trip("1969-12-31T23:59:59.999Z"), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(round_trip("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00.000Z");
    EXPECT_EQ(round_trip("1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59.500Z");
    EXPECT_EQ(round_trip("1900-03-01T12:34:56.789+01:00"), "1900-03-01T11:34:56.789Z");
}

TEST(Rfc3339, FormatsAnyInstantWithThreeFractionDigits) {
    EXPECT_EQ(format_rfc3339(TimePoint{}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339(TimePoint{Millis{-1}}), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339(TimePoint{Millis{1'764'064'800'007}}), "2025-11-25T10:00:00.007Z");
}

TEST(TimeOfDay, FormatsMinutesSinceMidnight) {
    EXPECT_EQ(format_time_of_day(0), "00:00");
    EXPECT_EQ(format_time_of_day(9 * 60 + 5), "09:05");
    EXPECT_EQ(format_time_of_day(23 * 60 + 59), "23:59");
}

}  // namespace
}  // namespace va::core
