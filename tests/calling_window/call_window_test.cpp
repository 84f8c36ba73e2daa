// Calling windows against the system tz database. Fixed 2026 instants only (rules that every
// tzdata Debian 12 ships agrees on): US DST 2026-03-08 / 2026-11-01, EU 2026-03-29 / 2026-10-25.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "core/time_format.hpp"
#include "calling_window/call_window.hpp"
#include "calling_window/time_zones.hpp"
#include "support/temp_dir.hpp"

namespace va::calling_window {
namespace {

using core::TimePoint;
using Zones = std::vector<std::string>;

TimePoint at(std::string_view text) {
    auto t = core::parse_rfc3339(text);
    if (!t) throw std::invalid_argument("bad test instant");
    return *t;
}

CallWindow window(std::string_view start, std::string_view end, std::string zone = {}) {
    return CallWindow{parse_local_time(start).value(), parse_local_time(end).value(), std::move(zone)};
}

// next_allowed as an RFC 3339 string ("none" for nullopt), so failures read as instants.
std::string next(std::string_view t, const CallWindow& w, const Zones& zones = {}) {
    auto result = next_allowed(at(t), w, zones);
    return result ? core::format_rfc3339(*result) : "none";
}

const CountryZones& system_zones() {
    static const CountryZones zones;  // /usr/share/zoneinfo/zone1970.tab
    return zones;
}

TEST(ParseLocalTime, AcceptsStrictHhMm) {
    EXPECT_EQ(parse_local_time("00:00"), std::chrono::minutes{0});
    EXPECT_EQ(parse_local_time("09:30"), std::chrono::minutes{9 * 60 + 30});
    EXPECT_EQ(parse_local_time("23:59"), std::chrono::minutes{23 * 60 + 59});
    for (const char* bad : {"24:00", "9:00", "09:60", "09-00", "0900", "09:00 ", " 09:00", "", "09:0a", "+9:00",
                            "09:00:00", "１９:00"}) {
        EXPECT_FALSE(parse_local_time(bad)) << bad;
    }
}

TEST(CallWindowValidity, StartEqualToEndIsInvalid) {
    EXPECT_TRUE(is_valid_window(window("09:00", "20:00")));
    EXPECT_TRUE(is_valid_window(window("20:00", "08:00")));
    EXPECT_FALSE(is_valid_window(window("09:00", "09:00")));
    EXPECT_FALSE(is_valid_window(CallWindow{std::chrono::minutes{-1}, std::chrono::minutes{60}, {}}));
    EXPECT_FALSE(is_valid_window(CallWindow{std::chrono::minutes{0}, std::chrono::hours{24}, {}}));
    EXPECT_THROW(next_allowed(at("2026-01-15T10:00:00Z"), window("09:00", "09:00", "UTC"), {}),
                 std::invalid_argument);
}

TEST(KnownTimeZone, AcceptsDatabaseNamesOnly) {
    for (const char* good : {"America/New_York", "Europe/London", "Pacific/Honolulu", "UTC", "Etc/GMT+5",
                             "America/Argentina/Buenos_Aires", "US/Eastern"}) {
        EXPECT_TRUE(is_known_time_zone(good)) << good;
    }
    for (const char* bad : {"", "Mars/Olympus_Mons", "America", "America/", "/etc/localtime",
                            "/usr/share/zoneinfo/UTC", "../zoneinfo/UTC", "America/../UTC", "./UTC",
                            "America//New_York", "zone1970.tab", "tzdata.zi", "localtime", "posixrules",
                            "Factory", "posix/America/New_York", "right/UTC", "Fixed/UTC+01:00",
                            "America/New_York ", "america/new_york_x"}) {
        EXPECT_FALSE(is_known_time_zone(bad)) << bad;
    }
}

TEST(NextAllowed, UnknownZoneIsAnError) {
    EXPECT_THROW(next_allowed(at("2026-01-15T10:00:00Z"), window("09:00", "20:00", "Mars/Olympus_Mons"), {}),
                 UnknownTimeZone);
    try {
        next_allowed(at("2026-01-15T10:00:00Z"), window("09:00", "20:00"), {"Europe/Paris", "Nowhere/Land"});
        FAIL() << "expected UnknownTimeZone";
    } catch (const UnknownTimeZone& e) {
        EXPECT_EQ(e.zone(), "Nowhere/Land");
    }
}

TEST(NextAllowed, NoZoneAtAllIsAnError) {
    EXPECT_THROW(next_allowed(at("2026-01-15T10:00:00Z"), window("09:00", "20:00"), {}), std::invalid_argument);
}

// Paris in January is UTC+1: 09:00–20:00 local is 08:00Z–19:00Z.
TEST(NextAllowed, InsideAndOutsideTheWindow) {
    auto w = window("09:00", "20:00", "Europe/Paris");
    EXPECT_EQ(next("2026-01-15T10:00:00Z", w), "2026-01-15T10:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T10:00:00.123Z", w), "2026-01-15T10:00:00.123Z");  // t itself, to the ms
    EXPECT_EQ(next("2026-01-15T06:00:00Z", w), "2026-01-15T08:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T22:30:00Z", w), "2026-01-16T08:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T23:30:00Z", w), "2026-01-16T08:00:00.000Z");  // local day already the 16th
    EXPECT_TRUE(is_allowed(at("2026-01-15T10:00:00Z"), w, {}));
    EXPECT_FALSE(is_allowed(at("2026-01-15T06:00:00Z"), w, {}));
}

TEST(NextAllowed, StartIsInclusiveEndIsExclusive) {
    auto w = window("09:00", "20:00", "Europe/Paris");
    EXPECT_EQ(next("2026-01-15T07:59:59.999Z", w), "2026-01-15T08:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T08:00:00Z", w), "2026-01-15T08:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T18:59:59.999Z", w), "2026-01-15T18:59:59.999Z");
    EXPECT_EQ(next("2026-01-15T19:00:00Z", w), "2026-01-16T08:00:00.000Z");
}

TEST(NextAllowed, OvernightWindowSpansMidnight) {
    auto w = window("20:00", "08:00", "Europe/Paris");
    EXPECT_EQ(next("2026-01-15T12:00:00Z", w), "2026-01-15T19:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T19:00:00Z", w), "2026-01-15T19:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T23:30:00Z", w), "2026-01-15T23:30:00.000Z");  // 00:30 local
    EXPECT_EQ(next("2026-01-16T06:59:59.999Z", w), "2026-01-16T06:59:59.999Z");
    EXPECT_EQ(next("2026-01-16T07:00:00Z", w), "2026-01-16T19:00:00.000Z");

    auto until_midnight = window("09:00", "00:00", "Europe/Paris");
    EXPECT_EQ(next("2026-01-15T22:59:59Z", until_midnight), "2026-01-15T22:59:59.000Z");
    EXPECT_EQ(next("2026-01-15T23:00:00Z", until_midnight), "2026-01-16T08:00:00.000Z");
}

// New York springs forward on 2026-03-08 at 02:00 EST (07:00Z) to 03:00 EDT.
TEST(NextAllowed, NewYorkSpringForward) {
    auto w = window("02:30", "05:00", "America/New_York");
    EXPECT_EQ(next("2026-03-07T05:00:00Z", w), "2026-03-07T07:30:00.000Z");  // the day before: 02:30 EST
    // 02:30 does not exist on the 8th: the window opens at the first wall time after it, 03:00 EDT.
    EXPECT_EQ(next("2026-03-08T05:00:00Z", w), "2026-03-08T07:00:00.000Z");
    EXPECT_EQ(next("2026-03-08T08:59:59Z", w), "2026-03-08T08:59:59.000Z");  // 04:59:59 EDT
    EXPECT_EQ(next("2026-03-08T09:00:00Z", w), "2026-03-09T06:30:00.000Z");  // 05:00 EDT: closed

    // A window inside the skipped hour does not happen that day at all.
    EXPECT_EQ(next("2026-03-08T05:00:00Z", window("02:00", "03:00", "America/New_York")),
              "2026-03-09T06:00:00.000Z");

    // The 23-hour day: 20:00 EST on the 7th to 09:00 EDT on the 8th is 12 hours, not 13.
    EXPECT_EQ(next("2026-03-08T01:00:00Z", window("09:00", "20:00", "America/New_York")),
              "2026-03-08T13:00:00.000Z");
}

// New York falls back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST: 01:00–02:00 happens twice.
TEST(NextAllowed, NewYorkFallBack) {
    auto w = window("01:00", "02:00", "America/New_York");
    EXPECT_EQ(next("2026-11-01T04:00:00Z", w), "2026-11-01T05:00:00.000Z");  // 01:00 EDT
    EXPECT_EQ(next("2026-11-01T05:59:59Z", w), "2026-11-01T05:59:59.000Z");
    EXPECT_EQ(next("2026-11-01T06:00:00Z", w), "2026-11-01T06:00:00.000Z");  // 01:00 EST, the second pass
    EXPECT_EQ(next("2026-11-01T06:59:59.999Z", w), "2026-11-01T06:59:59.999Z");
    EXPECT_EQ(next("2026-11-01T07:00:00Z", w), "2026-11-02T06:00:00.000Z");  // 02:00 EST: closed

    // The 25-hour day: 20:00 EDT on 10-31 to 09:00 EST on 11-01 is 14 hours.
    EXPECT_EQ(next("2026-11-01T00:00:00Z", window("09:00", "20:00", "America/New_York")),
              "2026-11-01T14:00:00.000Z");
}

// London springs forward on 2026-03-29 at 01:00 GMT (01:00Z) to 02:00 BST.
TEST(NextAllowed, LondonSpringForward) {
    EXPECT_EQ(next("2026-03-29T00:00:00Z", window("02:30", "05:00", "Europe/London")), "2026-03-29T01:30:00.000Z");
    // 01:30 does not exist: open at 02:00 BST.
    EXPECT_EQ(next("2026-03-29T00:00:00Z", window("01:30", "03:00", "Europe/London")), "2026-03-29T01:00:00.000Z");
}

// London falls back on 2026-10-25 at 02:00 BST (01:00Z) to 01:00 GMT.
TEST(NextAllowed, LondonFallBack) {
    auto w = window("01:00", "02:00", "Europe/London");
    EXPECT_EQ(next("2026-10-24T23:30:00Z", w), "2026-10-25T00:00:00.000Z");  // 01:00 BST
    EXPECT_EQ(next("2026-10-25T00:30:00Z", w), "2026-10-25T00:30:00.000Z");
    EXPECT_EQ(next("2026-10-25T01:00:00Z", w), "2026-10-25T01:00:00.000Z");  // 01:00 GMT, the second pass
    EXPECT_EQ(next("2026-10-25T01:59:59Z", w), "2026-10-25T01:59:59.000Z");
    EXPECT_EQ(next("2026-10-25T02:00:00Z", w), "2026-10-26T01:00:00.000Z");
}

// The span arithmetic against the plain definition: the first instant from t that is allowed
// pointwise (is_allowed: one lookup per zone). Every offset in these zones (Kathmandu +05:45,
// Lord Howe +10:30/+11) and every window edge is a whole quarter hour, and so are the
// transitions, so allowed-ness only changes on quarter hours UTC: scanning those is exact.
TEST(NextAllowed, AgreesWithAQuarterHourScanAroundTransitions) {
    using namespace std::chrono;
    using QuarterHours = duration<long, std::ratio<900>>;
    auto scan = [](TimePoint t, const CallWindow& w, const Zones& z) -> std::optional<TimePoint> {
        if (is_allowed(t, w, z)) return t;
        for (auto q = ceil<QuarterHours>(t); q < t + days{3}; q += QuarterHours{1}) {
            if (is_allowed(q, w, z)) return q;
        }
        return std::nullopt;
    };
    const std::vector<Zones> zone_sets{{"America/New_York"},
                                       {"Europe/London"},
                                       {"Australia/Lord_Howe"},
                                       {"Asia/Kathmandu"},
                                       system_zones().zones_for("US"),
                                       {"Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"}};
    const std::vector<CallWindow> windows{window("09:00", "20:00"), window("20:00", "08:00"), window("01:00", "02:00"),
                                          window("02:15", "05:00"), window("23:30", "00:30")};
    // US and EU transitions, and Lord Howe's half-hour ones (2026-04-05, 2026-10-04).
    for (const char* day : {"2026-03-07T00:00:00Z", "2026-03-28T00:00:00Z", "2026-04-04T00:00:00Z",
                            "2026-10-03T00:00:00Z", "2026-10-24T00:00:00Z", "2026-10-31T00:00:00Z"}) {
        for (auto t = at(day); t < at(day) + days{3}; t += minutes{7 * 60 + 13} + milliseconds{4321}) {
            for (const auto& zones : zone_sets) {
                for (const auto& w : windows) {
                    auto expected = scan(t, w, zones);
                    auto actual = next_allowed(t, w, zones);
                    if (expected) {
                        EXPECT_EQ(actual, expected) << core::format_rfc3339(t) << " " << zones.front();
                    } else {
                        EXPECT_TRUE(!actual || *actual >= t + days{3}) << core::format_rfc3339(t);
                    }
                }
            }
        }
    }
}

// The zone cache is shared by every dispatcher thread (run under TSan by the tsan preset).
TEST(NextAllowed, ConcurrentCallersShareTheZoneCache) {
    const Zones zones{"Asia/Tokyo", "Asia/Seoul", "America/Sao_Paulo", "Africa/Nairobi"};
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < 200; ++n) {
                const auto& zone = zones[static_cast<size_t>(n + i) % zones.size()];
                if (!is_known_time_zone(zone)) ++mismatches;
                auto w = window("09:00", "20:00", zone);
                auto t = next_allowed(at("2026-01-15T00:00:00Z"), w, {});
                if (!t || !is_allowed(*t, w, {})) ++mismatches;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(CountryZones, SingleZoneCountry) {
    EXPECT_EQ(system_zones().zones_for("FR"), Zones{"Europe/Paris"});
    EXPECT_EQ(system_zones().zones_for("fr"), Zones{"Europe/Paris"});
    auto w = window("09:00", "20:00");
    EXPECT_EQ(next("2026-01-15T06:00:00Z", w, system_zones().zones_for("FR")), "2026-01-15T08:00:00.000Z");
}

TEST(CountryZones, UnknownRegion) {
    for (const char* region : {"XX", "ZZ", "001", "", "U", "USA"}) {
        EXPECT_TRUE(system_zones().zones_for(region).empty()) << region;
    }
}

// zone1970.tab lists some 29 zones for the US, from America/New_York (UTC-5, -4 in summer) to
// Pacific/Honolulu (UTC-10, no DST) and America/Adak (UTC-10, -9 in summer). All of them must be
// inside the window: the Eastern zones close first, Honolulu opens last.
TEST(CountryZones, UnitedStatesIntersection) {
    const auto& us = system_zones().zones_for("US");
    for (const char* zone : {"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                             "America/Los_Angeles", "America/Anchorage", "America/Adak", "Pacific/Honolulu"}) {
        EXPECT_NE(std::find(us.begin(), us.end(), zone), us.end()) << zone;
    }
    auto w = window("09:00", "20:00");
    // January: Honolulu 09:00 = 19:00Z, New York 20:00 = 01:00Z.
    EXPECT_EQ(next("2026-01-15T12:00:00Z", w, us), "2026-01-15T19:00:00.000Z");
    EXPECT_EQ(next("2026-01-16T00:59:59Z", w, us), "2026-01-16T00:59:59.000Z");
    EXPECT_EQ(next("2026-01-16T01:00:00Z", w, us), "2026-01-16T19:00:00.000Z");
    // July: New York (EDT) closes at 00:00Z; Honolulu still opens at 19:00Z.
    EXPECT_EQ(next("2026-07-15T12:00:00Z", w, us), "2026-07-15T19:00:00.000Z");
    EXPECT_EQ(next("2026-07-15T23:59:59Z", w, us), "2026-07-15T23:59:59.000Z");
    EXPECT_EQ(next("2026-07-16T00:00:00Z", w, us), "2026-07-16T19:00:00.000Z");
    // Overnight over the whole country in January: New York [01:00Z, 13:00Z) ∩ Honolulu [06:00Z, 18:00Z).
    auto night = window("20:00", "08:00");
    EXPECT_EQ(next("2026-01-15T12:00:00Z", night, us), "2026-01-15T12:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T13:00:00Z", night, us), "2026-01-16T06:00:00.000Z");
    // Three hours cannot be inside the window from New York to Honolulu at once.
    EXPECT_EQ(next("2026-01-15T12:00:00Z", window("09:00", "12:00"), us), "none");
}

TEST(CountryZones, ExplicitZoneOverridesTheCountry) {
    const auto& us = system_zones().zones_for("US");
    EXPECT_EQ(next("2026-01-15T06:00:00Z", window("09:00", "20:00", "Europe/Paris"), us), "2026-01-15T08:00:00.000Z");
    EXPECT_EQ(next("2026-01-15T12:00:00Z", window("09:00", "12:00", "America/New_York"), us),
              "2026-01-15T14:00:00.000Z");
}

// A zone can serve several countries; comments, blank lines and the comments column are skipped.
TEST(CountryZones, ParsesSharedZonesAndComments) {
    test::TempDir dir;
    auto path = dir.file("zone1970.tab");
    std::ofstream(path) << "# comment\n\n"
                           "CA,US\t+332654-1120424\tAmerica/Phoenix\tMST - AZ (most areas)\n"
                           "US\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\n"
                           "CA\t+4339-07923\tAmerica/Toronto\tEastern - ON & QC (most areas)\r\n";
    CountryZones zones(path);
    EXPECT_EQ(zones.zones_for("US"), (Zones{"America/Phoenix", "America/New_York"}));
    EXPECT_EQ(zones.zones_for("CA"), (Zones{"America/Phoenix", "America/Toronto"}));
}

TEST(CountryZones, MissingFileNamesThePath) {
    test::TempDir dir;
    auto path = dir.file("missing.tab");
    try {
        CountryZones zones(path);
        FAIL() << "expected ZoneTableError";
    } catch (const ZoneTableError& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_EQ(e.line(), 0u);
    }
}

TEST(CountryZones, MalformedFileNamesPathAndLine) {
    struct Case {
        const char* content;
        size_t line;
    };
    for (const Case& c : {Case{"# ok\nFR\t+4852+00220\tEurope/Paris\nUS\t+404251-0740023\n", 3},
                          Case{"usa\t+404251-0740023\tAmerica/New_York\n", 1},
                          Case{"FR,\t+4852+00220\tEurope/Paris\n", 1},
                          Case{"FR\t+4852+00220\t\n", 1},
                          Case{"FR +4852+00220 Europe/Paris\n", 1}}) {
        test::TempDir dir;
        auto path = dir.file("zone1970.tab");
        std::ofstream(path) << c.content;
        try {
            CountryZones zones(path);
            ADD_FAILURE() << "expected ZoneTableError for: " << c.content;
        } catch (const ZoneTableError& e) {
            EXPECT_EQ(e.line(), c.line) << e.what();
            EXPECT_NE(std::string(e.what()).find(path + ":" + std::to_string(c.line) + ":"), std::string::npos)
                << e.what();
        }
    }
}

TEST(CountryZones, EmptyTableIsAnError) {
    test::TempDir dir;
    auto path = dir.file("zone1970.tab");
    std::ofstream(path) << "# only comments\n";
    EXPECT_THROW(CountryZones{path}, ZoneTableError);
}

}  // namespace
}  // namespace va::calling_window
