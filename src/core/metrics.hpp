#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4). Thread-safe; series are created on first use.
//
// Series per family are capped (max_series_per_family, default 1000, set per registry): a label
// value that comes from a client must never grow /metrics, and this process's memory, without
// bound. Past the cap a new label set gets no series of its own: its updates go to the family's
// single overflow series, rendered with the one label overflow="true" (so a family holds at most
// cap + 1 series). Existing series keep counting. We chose this over dropping updates because
// it stays honest: sums over a family (all requests, all calls) remain right, and the overflow
// series says in plain sight that detail was lost.
#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace va::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(double by = 1) { value_.fetch_add(by); }
    double value() const { return value_.load(); }

private:
    std::atomic<double> value_{0};
};

// A value that goes up and down (set, not counted).
class Gauge {
public:
    void set(double value) { value_.store(value); }
    double value() const { return value_.load(); }

private:
    std::atomic<double> value_{0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    struct Snapshot {
        std::vector<double> upper_bounds;
        std::vector<unsigned long long> cumulative;  // per bound, then +Inf last
        double sum = 0;
    };
    Snapshot snapshot() const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<unsigned long long>[]> counts_;  // bounds_.size() + 1 buckets
    std::atomic<double> sum_{0};
};

class MetricsRegistry {
public:
    static constexpr std::size_t default_max_series_per_family = 1000;
    MetricsRegistry() = default;
    explicit MetricsRegistry(std::size_t max_series_per_family) : max_series_(max_series_per_family) {}

    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels,
                         const std::vector<double>& upper_bounds);
    std::string render() const;

    static const std::vector<double>& latency_buckets_seconds();

private:
    enum class Type { counter, gauge, histogram };
    struct Family {
        std::string help;
        Type type = Type::counter;
        std::map<std::string, std::unique_ptr<Counter>> counters;      // key: rendered labels
        std::map<std::string, std::unique_ptr<Gauge>> gauges;          // key: rendered labels
        std::map<std::string, std::unique_ptr<Histogram>> histograms;  // key: rendered labels
    };
    const std::size_t max_series_ = default_max_series_per_family;
    mutable std::mutex mutex_;
    Family& family_of(const std::string& name, Type type);
    std::map<std::string, Family> families_;
};

}  // namespace va::core
