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
    lock.unlock();  // opening touches the file: not under the pool's lock
    try {
        connection = std::make_unique<Connection>(pool.path_, Connection::Role::reader);
    } catch (...) {
        std::lock_guard relock(pool.mutex_);
        --pool.open_;
        pool.available_.notify_one();
        throw;
    }
}

ReadPool::Lease::~Lease() {
    std::unique_ptr<Connection> broken;  // closed outside the lock
    std::lock_guard lock(pool.mutex_);
    if (connection->in_transaction()) {
        broken = std::move(connection);
        --pool.open_;
    } else {
        pool.idle_.push_back(std::move(connection));
    }
    pool.available_.notify_one();
}

}  // namespace va::store::sqlite
