#include "core/id.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

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

TEST(ObjectId, SortsByCreationSecondWithTheProcessBitsFixed) {
    auto t = *parse_rfc3339("2026-11-25T12:00:00Z");
    std::vector<std::string> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(new_object_id(t + std::chrono::seconds{i}));
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end(),
                               [](const auto& a, const auto& b) { return a.substr(0, 8) < b.substr(0, 8); }));
    for (const auto& id : ids) EXPECT_EQ(id.substr(8, 10), ids.front().substr(8, 10)) << id;
}

TEST(ObjectId, CountsUpByOneModuloTwentyFourBits) {
    auto t = *parse_rfc3339("2026-11-25T12:00:00Z");
    auto counter = [](const std::string& id) { return std::stoul(id.substr(18), nullptr, 16); };
    auto previous = counter(new_object_id(t));
    for (int i = 0; i < 1000; ++i) {
        auto next = counter(new_object_id(t));
        EXPECT_EQ(next, (previous + 1) & 0xffffff);
        previous = next;
    }
}

TEST(ObjectId, IsUniqueAcrossThreads) {
    auto t = *parse_rfc3339("2026-11-25T12:00:00Z");
    std::mutex mutex;
    std::set<std::string> ids;
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n) {
        threads.emplace_back([&] {
            std::vector<std::string> mine;
            for (int i = 0; i < 2500; ++i) mine.push_back(new_object_id(t));
            std::lock_guard lock(mutex);
            ids.insert(mine.begin(), mine.end());
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ids.size(), 10000u);
}

TEST(ObjectId, RecognisesOnlyTwentyFourLowercaseHexDigits) {
    EXPECT_TRUE(is_object_id("0123456789abcdef01234567"));
    EXPECT_FALSE(is_object_id("0123456789ABCDEF01234567"));
    EXPECT_FALSE(is_object_id("0123456789abcdef0123456"));
    EXPECT_FALSE(is_object_id("0123456789abcdef0123456g"));
    EXPECT_FALSE(is_object_id("0123456789abcdef012345678"));
    EXPECT_FALSE(is_object_id(""));
    EXPECT_FALSE(is_object_id(std::string_view("0123456789abcdef0123456\0", 24)));
}

}  // namespace
}  // namespace va::core
