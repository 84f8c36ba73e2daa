#include "support/mongo_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace va::test {

namespace {
std::mutex g_mutex;
std::unique_ptr<MongoServer> g_server;
}  // namespace

MongoServer& MongoServer::shared() {
    std::lock_guard lock(g_mutex);
    if (!g_server) g_server.reset(new MongoServer());
    return *g_server;
}

MongoServer::MongoServer() {
    if (const char* uri = std::getenv("VA_TEST_MONGODB_URI"); uri && *uri) {
        base_ = uri;
        // Keep host and options apart from the database path: mongodb://host[:port][/db][?opts].
        auto scheme = base_.find("://");
        auto slash = base_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        if (slash != std::string::npos) base_.erase(slash);
        return;
    }
    const std::string dir = VA_CONGODB_DIR;
    if (!std::filesystem::exists(dir + "/congodb/index.js")) {
        throw std::runtime_error("CongoDB is not installed in " + dir + ": run scripts/setup");
    }
    process_ = std::make_unique<Process>(VA_NODE, std::vector<std::string>{VA_CONGODB_SERVE, dir});
    auto port = process_->read_stdout_line();
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
        throw std::runtime_error("CongoDB did not start: " + port + process_->read_all_stderr());
    }
    base_ = "mongodb://127.0.0.1:" + port;
}

std::string MongoServer::uri(const std::string& database) const {
    return base_ + "/" + database + (real() ? "" : "?directConnection=true");
}

std::string MongoServer::fresh_database() {
    static std::atomic<int> next{0};
    return "va_test_" + std::to_string(getpid()) + "_" + std::to_string(next++);
}

std::int64_t MongoServer::hellos() {
    if (!process_) throw std::logic_error("hellos() counts CongoDB's");
    process_->signal(SIGUSR1);
    auto line = process_->read_stdout_line();
    if (line.rfind("hellos ", 0) != 0) throw std::runtime_error("CongoDB answered: " + line);
    return std::stoll(line.substr(7));
}

void MongoServer::kill() {
    if (!process_) throw std::logic_error("only a CongoDB of ours can be killed");
    process_->signal(SIGKILL);
    process_->wait();
    std::lock_guard lock(g_mutex);
    g_server.reset();  // `this` is gone now
}

}  // namespace va::test
