#pragma once
// Requests per second per caller (a token, or a client address without tokens): a token bucket
// that holds `burst` requests and refills at `rate` per second. Per process, thread-safe. Keys are
// bounded: when `max_keys` are held, full (idle) buckets are forgotten first, and if none is
// idle, a new caller is refused rather than grow the table.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace va::api {

struct RateLimit {
    double per_second = 50;
    double burst = 200;
};

class RateLimiter {
public:
    explicit RateLimiter(RateLimit limit, std::size_t max_keys = 10'000);
    // nullopt when the request may go ahead; else how long until one would.
    std::optional<std::chrono::seconds> take(const std::string& key, core::TimePoint now);

private:
    struct Bucket {
        double tokens = 0;
        core::TimePoint at{};
    };
    double refilled(const Bucket& bucket, core::TimePoint now) const;

    RateLimit limit_;
    std::size_t max_keys_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace va::api
