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
}

TEST(Rfc3339, AcceptsLeapDaysOnlyInLeapYears) {
    EXPECT_EQ(round_trip("2028-02-29T00:00:00Z"), "2028-02-29T00:00:00.000Z");
    EXPECT_EQ(round_trip("2027-02-29T00:00:00Z"), "rejected");
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
                      "2026-1a-25T10:00:00Z"}) {
        EXPECT_FALSE(parse_rfc3339(text)) << text;
    }
}

TEST(Rfc3339, FormatsTimesBeforeTheEpoch) {
    EXPECT_EQ(round_trip("1969-12-31T23:59:59.999Z"), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(round_trip("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace va::core
