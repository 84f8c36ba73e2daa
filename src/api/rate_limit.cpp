#include "api/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace va::api {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys) : limit_(limit), max_keys_(max_keys) {}

double RateLimiter::refilled(const Bucket& bucket, core::TimePoint now) const {
    // A clock that steps back refills nothing rather than drain the bucket.
    auto elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.at).count());
    return std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
}

std::optional<std::chrono::seconds> RateLimiter::take(const std::string& key, core::TimePoint now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) {
            std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= limit_.burst; });
            if (buckets_.size() >= max_keys_) return std::chrono::seconds(1);
        }
        it = buckets_.emplace(key, Bucket{limit_.burst, now}).first;
    }
    auto& bucket = it->second;
    bucket.tokens = refilled(bucket, now);
    bucket.at = std::max(bucket.at, now);
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return std::nullopt;
    }
    auto wait = (1 - bucket.tokens) / limit_.per_second;
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

}  // namespace va::api
