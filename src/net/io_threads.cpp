#include "net/io_threads.hpp"

#include <algorithm>
#include <thread>

#include <boost/asio/post.hpp>

namespace va::net {

IoThreads::IoThreads(unsigned count) {
    for (unsigned i = 0; i < std::max(1u, count); ++i) {
        // A hint of 1: the context knows it is run by one thread.
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        raw_.push_back(contexts_.back().get());
        guards_.emplace_back(boost::asio::make_work_guard(*raw_.back()));
    }
}

void IoThreads::run() {
    others_running_ = raw_.size() - 1;
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < raw_.size(); ++i) {
        threads.emplace_back([this, i] {
            raw_[i]->run();
            if (--others_running_ == 0) boost::asio::post(main(), [this] { guards_.front().reset(); });
        });
    }
    main().run();
    for (auto& t : threads) t.join();
}

void IoThreads::finish() {
    if (raw_.size() == 1) boost::asio::post(main(), [this] { guards_.front().reset(); });
    for (std::size_t i = 1; i < raw_.size(); ++i) boost::asio::post(*raw_[i], [this, i] { guards_[i].reset(); });
}

}  // namespace va::net
