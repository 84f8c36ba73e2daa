#include "support/mongo_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace va::test {

CongoDb::CongoDb(unsigned short port) {
    const std::string dir = VA_CONGODB_DIR;
    if (!std::filesystem::exists(dir + "/congodb/index.js")) {
        throw std::runtime_error("CongoDB is not installed in " + dir + ": run scripts/setup");
    }
    process_ = std::make_unique<Process>(VA_NODE, std::vector<std::string>{VA_CONGODB_SERVE, dir, std::to_string(port)});
    auto line = process_->read_stdout_line();
    if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos) {
        throw std::runtime_error("CongoDB did not start: " + line + process_->read_all_stderr());
    }
    port_ = static_cast<unsigned short>(std::stoi(line));
}

std::string CongoDb::uri(const std::string& database) const {
    return "mongodb://127.0.0.1:" + std::to_string(port_) + "/" + database + "?directConnection=true";
}

std::int64_t CongoDb::hellos() {
    process_->signal(SIGUSR1);
    auto line = process_->read_stdout_line();
    if (line.rfind("hellos ", 0) != 0) throw std::runtime_error("CongoDB answered: " + line);
    return std::stoll(line.substr(7));
}

MongoServer& MongoServer::shared() {
    static std::mutex mutex;
    static std::unique_ptr<MongoServer> server;
    std::lock_guard lock(mutex);
    if (!server) server.reset(new MongoServer());
    return *server;
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
    congo_ = std::make_unique<CongoDb>();
}

std::string MongoServer::uri(const std::string& database) const {
    return congo_ ? congo_->uri(database) : base_ + "/" + database;
}

std::string MongoServer::fresh_database() {
    static std::atomic<int> next{0};
    return "va_test_" + std::to_string(getpid()) + "_" + std::to_string(next++);
}

}  // namespace va::test
