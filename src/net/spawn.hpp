#pragma once
// Every detached coroutine starts here, so that no failure disappears silently.
#include <exception>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

namespace va::net {

template <typename Executor, typename Awaitable>
void spawn_logged(Executor executor, Awaitable task, std::string what) {
    boost::asio::co_spawn(executor, std::move(task), [what = std::move(what)](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("{} failed: {}", what, e.what());
        } catch (...) {
            spdlog::error("{} failed with an unknown exception", what);
        }
    });
}

}  // namespace va::net
