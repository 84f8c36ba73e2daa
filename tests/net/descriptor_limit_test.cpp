// raise_descriptor_limit(): the soft RLIMIT_NOFILE goes up to the hard one.
#include "net/descriptor_limit.hpp"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace va::net {
namespace {

TEST(DescriptorLimit, RaisesTheSoftLimitToTheHardLimit) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    if (saved.rlim_max == RLIM_INFINITY || saved.rlim_max < 128) GTEST_SKIP() << "unusual hard limit";
    rlimit lowered{64, saved.rlim_max};
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

    const auto raised = raise_descriptor_limit();
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_EQ(now.rlim_cur, saved.rlim_max);
    EXPECT_EQ(raised, now.rlim_cur);
    EXPECT_EQ(raise_descriptor_limit(), saved.rlim_max);  // already there: unchanged, reported
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // namespace
}  // namespace va::net
