#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace va::core {
namespace {

TEST(Metrics, RendersCountersAndHistogramsInPrometheusTextFormat) {
    MetricsRegistry registry;
    registry.counter("jobs_total", "Jobs done.", {{"kind", "a\"b"}}).inc();
    registry.counter("jobs_total", "Jobs done.", {{"kind", "a\"b"}}).inc(2);
    auto& h = registry.histogram("wait_seconds", "Waits.", {}, {0.1, 1});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    auto text = registry.render();
    EXPECT_NE(text.find("# TYPE jobs_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("jobs_total{kind=\"a\\\"b\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE wait_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("wait_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_count 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_sum 5.55\n"), std::string::npos) << text;
}

TEST(Metrics, RefusesToReuseANameForAnotherType) {
    MetricsRegistry registry;
    registry.counter("x", "X.");
    EXPECT_THROW(registry.histogram("x", "X.", {}, {1}), std::logic_error);
}

}  // namespace
}  // namespace va::core
