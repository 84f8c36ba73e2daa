#include "core/id.hpp"

#include <set>

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace va::core {
namespace {

TEST(ObjectId, HasMongoShapeWithTheCreationSecondsFirst) {
    auto t = *parse_rfc3339("2026-11-25T12:00:00Z");
    auto id = new_object_id(t);
    EXPECT_TRUE(is_object_id(id)) << id;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    EXPECT_EQ(std::stoll(id.substr(0, 8), nullptr, 16), seconds);
}

TEST(ObjectId, IsUniqueAcrossManyIdsInOneSecond) {
    auto t = *parse_rfc3339("2026-11-25T12:00:00Z");
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i) ids.insert(new_object_id(t));
    EXPECT_EQ(ids.size(), 10000u);
}

TEST(ObjectId, RecognisesOnlyTwentyFourLowercaseHexDigits) {
    EXPECT_TRUE(is_object_id("0123456789abcdef01234567"));
    EXPECT_FALSE(is_object_id("0123456789ABCDEF01234567"));
    EXPECT_FALSE(is_object_id("0123456789abcdef0123456"));
    EXPECT_FALSE(is_object_id("0123456789abcdef0123456g"));
}

}  // namespace
}  // namespace va::core
