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

TEST(Metrics, AGaugeIsSetNotCounted) {
    MetricsRegistry registry;
    registry.gauge("offset_seconds", "Offset.").set(-30.5);
    registry.gauge("offset_seconds", "Offset.").set(2);
    auto text = registry.render();
    EXPECT_NE(text.find("# TYPE offset_seconds gauge\noffset_seconds 2\n"), std::string::npos) << text;
}

TEST(Metrics, RefusesToReuseANameForAnotherType) {
    MetricsRegistry registry;
    registry.counter("x", "X.");
    EXPECT_THROW(registry.histogram("x", "X.", {}, {1}), std::logic_error);
    EXPECT_THROW(registry.gauge("x", "X."), std::logic_error);
}

// Label values a client controls must not grow /metrics without bound: past the cap, new label
// sets share one overflow series, so totals stay right and the family stays small.
TEST(Metrics, SendsNewLabelSetsPastTheCapToOneOverflowSeries) {
    MetricsRegistry registry(3);
    for (int i = 0; i < 10; ++i) registry.counter("hits_total", "Hits.", {{"who", "c" + std::to_string(i)}}).inc();
    registry.counter("hits_total", "Hits.", {{"who", "c1"}}).inc(5);  // an existing series keeps counting
    auto text = registry.render();
    EXPECT_NE(text.find("hits_total{who=\"c0\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("hits_total{who=\"c1\"} 6\n"), std::string::npos) << text;
    EXPECT_NE(text.find("hits_total{who=\"c2\"} 1\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("who=\"c3\""), std::string::npos) << text;
    EXPECT_NE(text.find("hits_total{overflow=\"true\"} 7\n"), std::string::npos) << text;

    for (int i = 0; i < 10; ++i) {
        registry.histogram("wait_seconds", "Waits.", {{"who", "c" + std::to_string(i)}}, {1}).observe(0.5);
    }
    text = registry.render();
    EXPECT_EQ(text.find("wait_seconds_count{who=\"c3\"}"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_bucket{overflow=\"true\",le=\"1\"} 7\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wait_seconds_count{overflow=\"true\"} 7\n"), std::string::npos) << text;
}

TEST(Metrics, CapsEveryFamilyAtAThousandSeriesByDefault) {
    MetricsRegistry registry;
    for (int i = 0; i < 5000; ++i) registry.counter("x_total", "X.", {{"id", std::to_string(i)}}).inc();
    auto text = registry.render();
    EXPECT_NE(text.find("x_total{id=\"999\"} 1\n"), std::string::npos);
    EXPECT_EQ(text.find("x_total{id=\"1000\"}"), std::string::npos);
    EXPECT_NE(text.find("x_total{overflow=\"true\"} 4000\n"), std::string::npos);
    EXPECT_LT(text.size(), 40u * 1024);
}

}  // namespace
}  // namespace va::core
