#include "store/sqlite/read_pool.hpp"

namespace va::store::sqlite {

ReadPool::ReadPool(std::string path, std::size_t max_connections) : path_(std::move(path)), max_(max_connections) {}

ReadPool::Lease::Lease(ReadPool& p) : pool(p) {
    std::unique_lock lock(pool.mutex_);
    pool.available_.wait(lock, [&] { return !pool.idle_.empty() || pool.open_ < pool.max_; });
    if (!pool.idle_.empty()) {
        connection = std::move(pool.idle_.back());
        pool.idle_.pop_back();
        return;
    }
    ++pool.open_;
    lock.unlock();
    try {
        connection = std::make_unique<Connection>(pool.path_);
        connection->exec("PRAGMA query_only=1");
    } catch (...) {
        std::lock_guard relock(pool.mutex_);
        --pool.open_;
        pool.available_.notify_one();
        throw;
    }
}

ReadPool::Lease::~Lease() {
    std::lock_guard lock(pool.mutex_);
    pool.idle_.push_back(std::move(connection));
    pool.available_.notify_one();
}

}  // namespace va::store::sqlite
