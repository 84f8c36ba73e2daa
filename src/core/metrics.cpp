#include "core/metrics.hpp"

#include <cstdio>
#include <stdexcept>

namespace va::core {

namespace {
std::string escape_label_value(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        out += c;
    }
    return out;
}

std::string render_labels(const Labels& labels) {
    std::string out;
    for (const auto& [k, v] : labels) {
        out += out.empty() ? "" : ",";
        out += k + "=\"" + escape_label_value(v) + "\"";
    }
    return out;
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

// The label set of a family's overflow series (see the header).
const std::string overflow_labels = "overflow=\"true\"";

// The map key for `labels`: its own series while the family is under the cap, else the overflow.
template <typename Map>
std::string series_key(const Map& series, const Labels& labels, std::size_t max_series) {
    auto key = render_labels(labels);
    if (series.size() >= max_series && !series.contains(key)) return overflow_labels;
    return key;
}

// The series of `labels` in one family's map, made by `make` on first use.
template <typename T, typename Make>
T& series_of(std::map<std::string, std::unique_ptr<T>>& family, const Labels& labels, std::size_t max_series,
             Make make) {
    auto& slot = family[series_key(family, labels, max_series)];
    if (!slot) slot = make();
    return *slot;
}

std::string series(const std::string& name, const std::string& labels, const std::string& extra = {}) {
    std::string all = labels;
    if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
    return all.empty() ? name : name + "{" + all + "}";
}
}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<unsigned long long>[bounds_.size() + 1]) {
    for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double value) {
    size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    counts_[i].fetch_add(1);
    sum_.fetch_add(value);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s{bounds_, {}, sum_.load()};
    unsigned long long running = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        running += counts_[i].load();
        s.cumulative.push_back(running);
    }
    return s;
}

// Under mutex_. A name keeps the type it was first used with.
MetricsRegistry::Family& MetricsRegistry::family_of(const std::string& name, Type type) {
    auto [it, added] = families_.try_emplace(name);
    if (added) it->second.type = type;
    if (it->second.type != type) throw std::logic_error("metric " + name + " has another type");
    return it->second;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& family = family_of(name, Type::counter);
    family.help = help;
    return series_of(family.counters, labels, max_series_, [] { return std::make_unique<Counter>(); });
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                                      const std::vector<double>& upper_bounds) {
    std::lock_guard lock(mutex_);
    auto& family = family_of(name, Type::histogram);
    family.help = help;
    return series_of(family.histograms, labels, max_series_,
                     [&] { return std::make_unique<Histogram>(upper_bounds); });
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& family = family_of(name, Type::gauge);
    family.help = help;
    return series_of(family.gauges, labels, max_series_, [] { return std::make_unique<Gauge>(); });
}

std::string MetricsRegistry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + " " + family.help + "\n";
        static constexpr const char* kTypes[] = {" counter\n", " gauge\n", " histogram\n"};
        out += "# TYPE " + name + kTypes[static_cast<int>(family.type)];
        for (const auto& [labels, c] : family.counters) out += series(name, labels) + " " + number(c->value()) + "\n";
        for (const auto& [labels, g] : family.gauges) out += series(name, labels) + " " + number(g->value()) + "\n";
        for (const auto& [labels, h] : family.histograms) {
            auto s = h->snapshot();
            for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
                out += series(name + "_bucket", labels, "le=\"" + number(s.upper_bounds[i]) + "\"") + " " +
                       std::to_string(s.cumulative[i]) + "\n";
            }
            out += series(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(s.cumulative.back()) + "\n";
            out += series(name + "_sum", labels) + " " + number(s.sum) + "\n";
            out += series(name + "_count", labels) + " " + std::to_string(s.cumulative.back()) + "\n";
        }
    }
    return out;
}

const std::vector<double>& MetricsRegistry::latency_buckets_seconds() {
    static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return buckets;
}

}  // namespace va::core
